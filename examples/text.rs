//! Sanitizes a text given on the command line (or a built-in sample) and prints
//! the output and the report. `cargo run --example text -- "your text"`.

use mmguard::{Guard, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sample = "Translate this\u{202E}txet\u{202C} please\u{E0069}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}";
    let input = std::env::args().nth(1).unwrap_or_else(|| sample.to_owned());
    let guard = Guard::new(Policy::default())?;
    let result = guard.text(&input)?;
    match &result.output {
        Some(text) => println!("output: {text}"),
        None => println!("blocked"),
    }
    for f in &result.report.findings {
        let payload = f
            .payload
            .as_ref()
            .map(|p| format!(" payload={:?}", p.text))
            .unwrap_or_default();
        println!("{:?} {} {}{payload}", f.severity, f.code, f.message);
    }
    println!("injection score: {:.2}", result.report.scores.injection);
    Ok(())
}
