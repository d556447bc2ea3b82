//! The manual: rationale that belongs with the code but not on any one item.
//! These modules hold only documentation.

pub mod threat_model;
