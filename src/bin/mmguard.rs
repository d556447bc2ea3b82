//! The `mmguard` command-line tool.
//!
//! ```text
//! mmguard text [FILE|-] [--policy POLICY.json] [--report REPORT.json]
//! mmguard text --jsonl [FILE|-] [--policy POLICY.json]
//! mmguard image FILE|- -o OUT|- [--type MIME|NAME] [--policy POLICY.json] [--report REPORT.json]
//! mmguard audio FILE|- -o OUT.wav|- [--type MIME|NAME] [--policy POLICY.json] [--report REPORT.json]
//! ```
//! `text` writes the sanitized text to stdout, `image` and `audio` the
//! sanitized file to OUT; with `--report`, the report goes there as JSON.
//! `text --jsonl` reads one JSON string per line and writes one JSON object
//! per line: `{"output":...,"report":...}`, or `{"error":{...}}` for a line
//! that could not be processed (the others go on).
//! Exit codes: 0 processed (clean or modified), 1 blocked by policy, 2 error
//! (bad input, over a limit, bad policy, bad usage). On error the report file
//! holds `{"error":{"code":...,"message":...}}` and the message goes to stderr.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use mmguard::detect::{AudioDetector, ImageDetector, ImageDetectorKind, TextDetector};
use mmguard::{Action, Guard, Policy, Verdict};

/// The detectors' models, built into the tool (about 640 KB together).
const TEXT_MODEL: &[u8] = include_bytes!("../../models/text-injection.onnx");
const IMAGE_ADVERSARIAL_MODEL: &[u8] = include_bytes!("../../models/image-adversarial.onnx");
const IMAGE_TYPOGRAPHIC_MODEL: &[u8] = include_bytes!("../../models/image-typographic.onnx");
const AUDIO_MODEL: &[u8] = include_bytes!("../../models/audio-adversarial.onnx");

/// A guard for `policy` with the audio detector when the policy enables it.
fn audio_guard(policy: Policy) -> Result<Guard, Failure> {
    let enabled = policy.detectors.audio.action != Action::Allow;
    let guard = Guard::new(policy)?;
    if !enabled {
        return Ok(guard);
    }
    let detector = AudioDetector::with_engine(AUDIO_MODEL, engine(AUDIO_MODEL)?)?;
    Ok(guard.with_audio_detector(detector))
}
/// A guard for `policy` with the image detectors the policy enables, run by tract.
fn image_guard(policy: Policy) -> Result<Guard, Failure> {
    let d = policy.detectors.clone();
    let mut guard = Guard::new(policy)?;
    for (check, kind, model) in [
        (
            d.image_adversarial,
            ImageDetectorKind::Adversarial,
            IMAGE_ADVERSARIAL_MODEL,
        ),
        (
            d.image_typographic,
            ImageDetectorKind::Typographic,
            IMAGE_TYPOGRAPHIC_MODEL,
        ),
    ] {
        if check.action != Action::Allow {
            guard =
                guard.with_image_detector(kind, ImageDetector::with_engine(model, engine(model)?)?);
        }
    }
    Ok(guard)
}

/// The engine that runs a detector's `model`: ONNX Runtime when
/// `MMGUARD_ONNXRUNTIME` names its library (GPU providers first; with the
/// `ort` feature), else tract.
fn engine(model: &[u8]) -> Result<std::sync::Arc<dyn mmguard::detect::Engine>, Failure> {
    #[cfg(feature = "ort")]
    if let Some(library) = std::env::var_os("MMGUARD_ONNXRUNTIME") {
        use mmguard::detect::{OrtEngine, Providers};
        let engine =
            OrtEngine::from_onnx(model, std::path::Path::new(&library), Providers::GpuFirst)?;
        return Ok(std::sync::Arc::new(engine));
    }
    Ok(std::sync::Arc::new(
        mmguard::detect::TractEngine::from_onnx(model)?,
    ))
}
/// A guard for `policy`, with the shipped text detector when the policy
/// enables it.
fn text_guard(policy: Policy) -> Result<Guard, Failure> {
    let enabled = policy.detectors.text.action != Action::Allow;
    let guard = Guard::new(policy)?;
    Ok(if enabled {
        guard.with_text_detector(TextDetector::from_onnx(TEXT_MODEL)?)
    } else {
        guard
    })
}

const USAGE: &str = "usage: mmguard text [FILE|-] [--policy POLICY.json] [--report REPORT.json]
       mmguard text --jsonl [FILE|-] [--policy POLICY.json]
       mmguard image FILE|- -o OUT|- [--type MIME|NAME] [--policy POLICY.json] [--report REPORT.json]
       mmguard audio FILE|- -o OUT.wav|- [--type MIME|NAME] [--policy POLICY.json] [--report REPORT.json]
       mmguard --help | --version

text:  sanitizes text (a file, or standard input with - or no FILE) and writes
       it to standard output. With --jsonl, each line of the input is a
       JSON string, and each line of the output a JSON object with the
       sanitized \"output\" (null when blocked) and the \"report\", or an
       \"error\" for that line alone.
image: sanitizes an image (PNG, JPEG, GIF, WebP, BMP) and writes a clean
       re-encoded file to OUT (standard output with -). --type is the declared
       type to compare with the bytes (default: FILE's name).
       The image and audio detectors run on tract, or on ONNX Runtime when
       built with the ort feature and MMGUARD_ONNXRUNTIME names its library.
audio: sanitizes a recording (WAV, FLAC, MP3, Ogg Vorbis, AAC) and writes a
       clean WAV to OUT, by default 16 kHz mono, band-limited to 7.5 kHz.
       --type as for image.
Exit status: 0 processed, 1 blocked by policy, 2 error.";

/// A CLI failure: a stable code and a message, like the library's errors.
struct Failure {
    code: String,
    message: String,
}

impl Failure {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Failure {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<mmguard::Error> for Failure {
    fn from(e: mmguard::Error) -> Self {
        Failure::new(e.code(), e.message())
    }
}

struct Args {
    input: Option<PathBuf>,
    policy: Option<PathBuf>,
    report: Option<PathBuf>,
    /// `-o`: where the image or recording goes; `Some(None)` for standard output.
    output: Option<Option<PathBuf>>,
    /// `--type`: the declared type of an image or recording.
    declared: Option<String>,
    /// `--jsonl`: texts one JSON string per line.
    jsonl: bool,
}

fn parse_args(args: &[String]) -> Result<Args, Failure> {
    let mut out = Args {
        input: None,
        policy: None,
        report: None,
        output: None,
        declared: None,
        jsonl: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--policy" | "--report" => {
                let value = it.next().ok_or_else(|| {
                    Failure::new("usage.arguments", format!("{a} needs a file name"))
                })?;
                let slot = if a == "--policy" {
                    &mut out.policy
                } else {
                    &mut out.report
                };
                *slot = Some(PathBuf::from(value));
            }
            "-o" | "--output" | "--type" => {
                let value = it
                    .next()
                    .ok_or_else(|| Failure::new("usage.arguments", format!("{a} needs a value")))?;
                if a == "--type" {
                    out.declared = Some(value.clone());
                } else {
                    out.output = Some((value != "-").then(|| PathBuf::from(value)));
                }
            }
            "--jsonl" => out.jsonl = true,
            "-" => out.input = None,
            s if s.starts_with("--") => {
                return Err(Failure::new(
                    "usage.arguments",
                    format!("unknown option {s}"),
                ));
            }
            s => {
                if out.input.is_some() {
                    return Err(Failure::new(
                        "usage.arguments",
                        "only one input file may be given",
                    ));
                }
                out.input = Some(PathBuf::from(s));
            }
        }
    }
    Ok(out)
}

/// Reads at most `max + 1` bytes, so an oversized input is refused without
/// being read whole into memory; `limit` names the limit (`text`, `image`, `audio`).
fn read_input(path: Option<&PathBuf>, max: u64, limit: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    let read = match path {
        Some(p) => std::fs::File::open(p)
            .and_then(|f| f.take(max.saturating_add(1)).read_to_end(&mut buf))
            .map_err(|e| Failure::new("io.read", format!("cannot read {}: {e}", p.display())))?,
        None => std::io::stdin()
            .lock()
            .take(max.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| Failure::new("io.read", format!("cannot read standard input: {e}")))?,
    };
    if read as u64 > max {
        return Err(Failure::new(
            &format!("limit.{limit}_bytes"),
            format!("input is over the limit of {max} bytes (limits.{limit}.max_bytes)"),
        ));
    }
    Ok(buf)
}

fn load_policy(path: Option<&PathBuf>) -> Result<Policy, Failure> {
    match path {
        None => Ok(Policy::default()),
        Some(p) => {
            let json = std::fs::read_to_string(p).map_err(|e| {
                Failure::new(
                    "io.read",
                    format!("cannot read policy {}: {e}", p.display()),
                )
            })?;
            Ok(Policy::from_json(&json)?)
        }
    }
}

fn write_report(path: Option<&PathBuf>, json: &str) -> Result<(), Failure> {
    if let Some(p) = path {
        std::fs::write(p, json).map_err(|e| {
            Failure::new(
                "io.write",
                format!("cannot write report {}: {e}", p.display()),
            )
        })?;
    }
    Ok(())
}

fn run_text(args: &Args) -> Result<Verdict, Failure> {
    let policy = load_policy(args.policy.as_ref())?;
    let bytes = read_input(args.input.as_ref(), policy.limits.text.max_bytes, "text")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::new(
            "input.encoding",
            format!(
                "input is not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let guard = text_guard(policy)?;
    let result = guard.text(&text)?;
    write_report(args.report.as_ref(), &result.report.to_json())?;
    if let Some(out) = result.output {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::new("io.write", format!("cannot write output: {e}")))?;
    }
    Ok(result.report.verdict)
}

/// `text --jsonl`: one JSON string per input line, one JSON object per
/// output line. A line that cannot be processed gets its own error object;
/// the verdict is `blocked` when any line was.
fn run_text_jsonl(args: &Args) -> Result<Verdict, Failure> {
    use std::io::BufRead;
    let policy = load_policy(args.policy.as_ref())?;
    // The longest line worth reading: a text at the byte limit, every byte
    // escaped (`\u0000`), and its quotes.
    let max_line = policy
        .limits
        .text
        .max_bytes
        .saturating_mul(6)
        .saturating_add(3);
    let guard = text_guard(policy)?;
    let input: Box<dyn std::io::Read> =
        match &args.input {
            Some(p) => Box::new(std::fs::File::open(p).map_err(|e| {
                Failure::new("io.read", format!("cannot read {}: {e}", p.display()))
            })?),
            None => Box::new(std::io::stdin()),
        };
    let mut reader = std::io::BufReader::new(input);
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut verdict = Verdict::Clean;
    let mut line = Vec::new();
    for number in 1u64.. {
        line.clear();
        let read = (&mut reader)
            .take(max_line.saturating_add(1))
            .read_until(b'\n', &mut line)
            .map_err(|e| Failure::new("io.read", format!("cannot read line {number}: {e}")))?;
        if read == 0 {
            break;
        }
        let json = if line.len() as u64 > max_line && line.last() != Some(&b'\n') {
            // Skip the rest of the line, unread.
            let mut rest = Vec::new();
            reader
                .read_until(b'\n', &mut rest)
                .map_err(|e| Failure::new("io.read", format!("cannot read line {number}: {e}")))?;
            error_json(&Failure::new(
                "limit.text_bytes",
                format!("line {number} is longer than a text within limits.text.max_bytes can be"),
            ))
        } else if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        } else {
            match jsonl_line(&guard, &line, number) {
                Ok((json, v)) => {
                    if v == Verdict::Blocked {
                        verdict = Verdict::Blocked;
                    }
                    json
                }
                Err(f) => error_json(&f),
            }
        };
        writeln!(stdout, "{json}")
            .map_err(|e| Failure::new("io.write", format!("cannot write output: {e}")))?;
    }
    stdout
        .flush()
        .map_err(|e| Failure::new("io.write", format!("cannot write output: {e}")))?;
    Ok(verdict)
}

/// One `--jsonl` line: its output and report as one JSON object.
fn jsonl_line(guard: &Guard, line: &[u8], number: u64) -> Result<(String, Verdict), Failure> {
    let text: String = serde_json::from_slice(line).map_err(|e| {
        Failure::new(
            "input.jsonl",
            format!("line {number} is not one JSON string: {e}"),
        )
    })?;
    let result = guard.text(&text)?;
    let json = serde_json::json!({ "output": result.output, "report": result.report });
    Ok((json.to_string(), result.report.verdict))
}

/// The file commands (`image`, `audio`): read FILE within the modality's
/// byte limit, sanitize it with its declared type (`--type`, else FILE's
/// name), write the report and the output file.
fn run_file(
    args: &Args,
    command: &str,
    max_bytes: impl Fn(&Policy) -> u64,
    sanitize: impl Fn(
        &Guard,
        &[u8],
        Option<&str>,
    ) -> mmguard::Result<(Option<Vec<u8>>, mmguard::Report)>,
) -> Result<Verdict, Failure> {
    let Some(output) = &args.output else {
        return Err(Failure::new(
            "usage.arguments",
            format!("{command} needs -o OUT (or -o - for standard output)"),
        ));
    };
    let policy = load_policy(args.policy.as_ref())?;
    let bytes = read_input(args.input.as_ref(), max_bytes(&policy), command)?;
    let name = args
        .input
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let declared = args.declared.clone().or(name);
    let guard = if command == "image" {
        image_guard(policy)?
    } else {
        audio_guard(policy)?
    };
    let (out, report) = sanitize(&guard, &bytes, declared.as_deref())?;
    write_report(args.report.as_ref(), &report.to_json())?;
    if let Some(out) = out {
        let written = match output {
            Some(path) => std::fs::write(path, &out),
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(&out).and_then(|()| stdout.flush())
            }
        };
        written.map_err(|e| Failure::new("io.write", format!("cannot write output: {e}")))?;
    }
    Ok(report.verdict)
}

fn run_image(args: &Args) -> Result<Verdict, Failure> {
    run_file(
        args,
        "image",
        |p| p.limits.image.max_bytes,
        |g, bytes, declared| {
            let r = g.image(
                bytes,
                &mmguard::ImageInput {
                    declared_type: declared,
                },
            )?;
            Ok((r.output.map(|o| o.bytes), r.report))
        },
    )
}

fn run_audio(args: &Args) -> Result<Verdict, Failure> {
    run_file(
        args,
        "audio",
        |p| p.limits.audio.max_bytes,
        |g, bytes, declared| {
            let r = g.audio(
                bytes,
                &mmguard::AudioInput {
                    declared_type: declared,
                },
            )?;
            Ok((r.output.map(|o| o.bytes), r.report))
        },
    )
}

fn error_json(f: &Failure) -> String {
    serde_json::json!({ "error": { "code": f.code, "message": f.message } }).to_string()
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match argv.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("--help", &[][..]),
    };
    match command {
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        "--version" | "-V" => {
            println!("mmguard {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let parsed = if matches!(command, "text" | "image" | "audio") {
        parse_args(rest)
    } else {
        Err(Failure::new(
            "usage.command",
            format!("unknown command {command:?}"),
        ))
    };
    let report_path = parsed.as_ref().ok().and_then(|a| a.report.clone());
    let outcome = parsed.and_then(|args| match command {
        "image" | "audio" if args.jsonl => Err(Failure::new(
            "usage.arguments",
            "--jsonl is an option of the text command",
        )),
        "image" => run_image(&args),
        "audio" => run_audio(&args),
        _ if args.output.is_some() || args.declared.is_some() => Err(Failure::new(
            "usage.arguments",
            "-o and --type are options of the image and audio commands",
        )),
        _ if args.jsonl && args.report.is_some() => Err(Failure::new(
            "usage.arguments",
            "--jsonl writes each report with its output; --report does not apply",
        )),
        _ if args.jsonl => run_text_jsonl(&args),
        _ => run_text(&args),
    });
    match outcome {
        Ok(Verdict::Blocked) => {
            eprintln!("mmguard: blocked by policy (see the report for findings)");
            ExitCode::from(1)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("mmguard: {}: {}", f.code, f.message);
            if f.code.starts_with("usage") {
                eprintln!("{USAGE}");
            }
            let _ = write_report(report_path.as_ref(), &error_json(&f));
            ExitCode::from(2)
        }
    }
}
