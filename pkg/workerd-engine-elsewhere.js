// What `mmguard/workerd-engine` is outside workerd: nothing. Browsers and
// Node.js load the detectors' engine themselves when a detector is first used.
export {};
