//! The image detectors: adversarial perturbations (`image-adversarial`) and
//! images that are mostly rendered text (`image-typographic`). Their inputs
//! are computed here exactly as `training/image/preprocess.py` computes them
//! (the models' cards give the rules), and their networks run on an
//! [`Engine`].

use std::sync::Arc;

use super::{onnx, Detector, Engine, Scored};
use crate::error::{Error, Result};

/// Decoded pixels, RGBA8 row by row; the detectors read R, G and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageView<'a> {
    /// `width * height * 4` bytes.
    pub rgba: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Which image detector a model is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageDetectorKind {
    /// Adversarial perturbations: finding `image.adversarial_score`.
    Adversarial,
    /// Mostly rendered text: finding `image.typographic`.
    Typographic,
}

/// How a model's input is made from the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preprocess {
    /// Up to `per_side × per_side` crops of `side × side` pixels at native
    /// resolution, `[K, 3, side, side]`, byte / 255; the score is their mean.
    Crops { side: usize, per_side: usize },
    /// Gray levels box-averaged to `side × side`, `[1, 1, side, side]`.
    GrayGrid { side: usize },
}

/// Largest crop side and grid a model may ask for, so a model's metadata
/// cannot make an input of unbounded size.
const MAX_SIDE: usize = 256;
const MAX_PER_SIDE: usize = 8;

/// An image detector: a model's preprocessing and threshold, read from its
/// metadata, and the engine that runs its network.
#[derive(Debug, Clone)]
pub struct ImageDetector {
    kind: ImageDetectorKind,
    preprocess: Preprocess,
    threshold: f64,
    engine: Arc<dyn Engine>,
}

fn unsupported(what: String) -> Error {
    Error::model(
        "model.unsupported",
        format!("the model is not an image detector this build runs: {what}"),
    )
}

impl ImageDetector {
    /// The detector of `model` (an ONNX file from `models/`), its network run
    /// by `engine`.
    ///
    /// # Errors
    /// `model.malformed` for bytes that are not ONNX, `model.unsupported`
    /// for a model without an image detector's metadata.
    pub fn with_engine(model: &[u8], engine: Arc<dyn Engine>) -> Result<ImageDetector> {
        let graph = onnx::read(model)?;
        let number = |key: &str| graph.number(key, unsupported);
        let size = |key: &str| -> Result<Option<usize>> {
            match number(key)? {
                None => Ok(None),
                Some(x) if x >= 1.0 && x <= MAX_SIDE as f64 && x.fract() == 0.0 => {
                    Ok(Some(x as usize))
                }
                Some(x) => Err(unsupported(format!("its {key} is {x}"))),
            }
        };
        let (kind, preprocess) = match (size("mmguard.crop_size")?, size("mmguard.grid")?) {
            (Some(side), None) => {
                let per_side = size("mmguard.max_crops_per_side")?.unwrap_or(1);
                if per_side > MAX_PER_SIDE {
                    return Err(unsupported(format!("it asks for {per_side} crops a side")));
                }
                (
                    ImageDetectorKind::Adversarial,
                    Preprocess::Crops { side, per_side },
                )
            }
            (None, Some(side)) => (
                ImageDetectorKind::Typographic,
                Preprocess::GrayGrid { side },
            ),
            _ => {
                return Err(unsupported(String::from(
                    "its metadata has neither mmguard.crop_size nor mmguard.grid",
                )))
            }
        };
        let threshold = graph.required("mmguard.operating_threshold", unsupported)?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(unsupported(format!(
                "its threshold {threshold} is not between 0 and 1"
            )));
        }
        Ok(ImageDetector {
            kind,
            preprocess,
            threshold,
            engine,
        })
    }

    /// The detector of `model`, run by tract.
    ///
    /// ```
    /// # fn main() -> Result<(), mmguard::Error> {
    /// use mmguard::detect::{ImageDetector, ImageDetectorKind};
    ///
    /// let model = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/models/image-typographic.onnx"))
    ///     .expect("the model ships with the crate");
    /// let detector = ImageDetector::from_onnx(&model)?;
    /// assert_eq!(detector.kind(), ImageDetectorKind::Typographic);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`ImageDetector::with_engine`].
    #[cfg(feature = "detect")]
    pub fn from_onnx(model: &[u8]) -> Result<ImageDetector> {
        let engine = super::TractEngine::from_onnx(model)?;
        ImageDetector::with_engine(model, Arc::new(engine))
    }

    /// Which detector this is.
    pub fn kind(&self) -> ImageDetectorKind {
        self.kind
    }

    /// The model's input for `image` and its shape.
    fn input(&self, image: &ImageView<'_>) -> Result<(Vec<f32>, [usize; 4])> {
        let (w, h) = (image.width as usize, image.height as usize);
        if w == 0 || h == 0 || image.rgba.len() != w.saturating_mul(h).saturating_mul(4) {
            return Err(Error::input(
                "input.image_pixels",
                format!(
                    "{} bytes are not the RGBA pixels of a {w}×{h} image",
                    image.rgba.len()
                ),
            ));
        }
        Ok(match self.preprocess {
            Preprocess::Crops { side, per_side } => {
                let (tensor, count) = crops(image, side, per_side);
                (tensor, [count, 3, side, side])
            }
            Preprocess::GrayGrid { side } => (gray_grid(image, side), [1, 1, side, side]),
        })
    }
}

impl ImageDetector {
    /// Scores several images with one run of the network: their inputs
    /// stacked into one batch, which a GPU engine runs far better than one
    /// image at a time. Each score is what [`Detector::score`] gives.
    ///
    /// # Errors
    /// As [`Detector::score`], for the first image that fails.
    pub fn score_batch(&self, images: &[ImageView<'_>]) -> Result<Vec<Scored>> {
        let mut tensor = Vec::new();
        let mut counts = Vec::with_capacity(images.len());
        let mut item = [0usize; 3];
        for image in images {
            let (t, [count, c, h, w]) = self.input(image)?;
            tensor.extend_from_slice(&t);
            counts.push(count);
            item = [c, h, w];
        }
        let total: usize = counts.iter().sum();
        if total == 0 {
            return Ok(Vec::new());
        }
        let [c, h, w] = item;
        let out = self.engine.run(&tensor, &[total, c, h, w])?;
        if out.len() != total || out.iter().any(|s| !(0.0..=1.0).contains(s)) {
            return Err(Error::model(
                "model.run",
                format!(
                    "the network gave {} outputs for {total} inputs, or scores outside 0..1",
                    out.len()
                ),
            ));
        }
        let mut at = 0;
        Ok(counts
            .iter()
            .map(|&count| {
                let scores = out.get(at..at + count).unwrap_or(&[]);
                at += count;
                let mean = scores.iter().map(|&s| f64::from(s)).sum::<f64>() / count.max(1) as f64;
                Scored {
                    model: mean,
                    score: mean,
                    threshold: self.threshold,
                }
            })
            .collect())
    }
}

impl Detector<ImageView<'_>> for ImageDetector {
    fn engine(&self) -> String {
        self.engine.name()
    }

    fn name(&self) -> &str {
        match self.kind {
            ImageDetectorKind::Adversarial => "image-adversarial",
            ImageDetectorKind::Typographic => "image-typographic",
        }
    }

    /// The mean of the per-crop (or the one) scores: a batch of one.
    fn score(&self, image: &ImageView<'_>) -> Result<Scored> {
        self.score_batch(std::slice::from_ref(image))?
            .pop()
            .ok_or_else(|| Error::model("model.run", "the network gave no score"))
    }
}

/// Where the crops along a side of `length` pixels start:
/// `n = min(M, max(1, L / S))`; `0` if `L <= S`, centred if `n == 1`, else
/// evenly from one end to the other.
pub(crate) fn axis_positions(length: usize, side: usize, per_side: usize) -> Vec<usize> {
    let n = per_side.min((length / side.max(1)).max(1));
    if length <= side {
        vec![0]
    } else if n == 1 {
        vec![(length - side) / 2]
    } else {
        (0..n).map(|i| i * (length - side) / (n - 1)).collect()
    }
}

/// The crops, NCHW float32 = byte / 255, rows outer, and how many there are.
/// An image smaller than a crop repeats its last row and column.
fn crops(image: &ImageView<'_>, side: usize, per_side: usize) -> (Vec<f32>, usize) {
    let (w, h) = (image.width as usize, image.height as usize);
    let ys = axis_positions(h, side, per_side);
    let xs = axis_positions(w, side, per_side);
    let count = ys.len() * xs.len();
    let plane = side * side;
    let mut out = vec![0.0f32; count * 3 * plane];
    for (k, (y, x)) in ys
        .iter()
        .flat_map(|&y| xs.iter().map(move |&x| (y, x)))
        .enumerate()
    {
        for v in 0..side {
            let row = (y + v).min(h - 1) * w;
            for u in 0..side {
                let at = (row + (x + u).min(w - 1)) * 4;
                let Some(px) = image.rgba.get(at..at + 3) else {
                    continue;
                };
                for (c, &byte) in px.iter().enumerate() {
                    if let Some(slot) = out.get_mut((k * 3 + c) * plane + v * side + u) {
                        *slot = f32::from(byte) / 255.0;
                    }
                }
            }
        }
    }
    (out, count)
}

/// `[(first, last)]` (inclusive) of the `g` bins along a side of `length`.
fn bins(length: usize, g: usize) -> Vec<(usize, usize)> {
    (0..g)
        .map(|i| {
            let a = i * length / g;
            (a, a.max(((i + 1) * length / g).saturating_sub(1)))
        })
        .collect()
}

/// Gray levels `(77 R + 150 G + 29 B + 128) >> 8`, box-averaged over `g × g`
/// bins, / 255.
fn gray_grid(image: &ImageView<'_>, g: usize) -> Vec<f32> {
    let (w, h) = (image.width as usize, image.height as usize);
    let (row_bins, col_bins) = (bins(h, g), bins(w, g));
    let mut sums = vec![0u64; g * g];
    // One row at a time: its prefix sums give each column bin's sum, which is
    // added to every row bin holding the row (several when h < g).
    let mut prefix = vec![0u64; w + 1];
    for (r, row) in image.rgba.chunks_exact(w * 4).take(h).enumerate() {
        let mut acc = 0u64;
        for (px, slot) in row.chunks_exact(4).zip(prefix.iter_mut().skip(1)) {
            if let [red, green, blue, _] = *px {
                acc += (77 * u64::from(red) + 150 * u64::from(green) + 29 * u64::from(blue) + 128)
                    >> 8;
            }
            *slot = acc;
        }
        for (by, &(y0, y1)) in row_bins.iter().enumerate() {
            if r < y0 || r > y1 {
                continue;
            }
            for (bx, &(x0, x1)) in col_bins.iter().enumerate() {
                let sum =
                    prefix.get(x1 + 1).copied().unwrap_or(0) - prefix.get(x0).copied().unwrap_or(0);
                if let Some(cell) = sums.get_mut(by * g + bx) {
                    *cell += sum;
                }
            }
        }
    }
    let mut out = Vec::with_capacity(g * g);
    for &(y0, y1) in &row_bins {
        for &(x0, x1) in &col_bins {
            let count = ((y1 - y0 + 1) * (x1 - x0 + 1) * 255) as f64;
            let sum = sums.get(out.len()).copied().unwrap_or(0);
            out.push((sum as f64 / count) as f32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RGBA pixels of a test image, decoded by the `image` crate.
    #[cfg(not(target_arch = "wasm32"))]
    fn pixels(file: &str) -> (Vec<u8>, u32, u32) {
        let bytes = std::fs::read(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let img = ::image::load_from_memory(&bytes).unwrap().to_rgba8();
        let (w, h) = img.dimensions();
        (img.into_raw(), w, h)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn vectors(model: &str) -> serde_json::Value {
        let path = format!("{}/models/{model}.vectors.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The crops, their values and the model's scores match what training
    /// wrote for the test images (tracts's scores against ONNX Runtime's).
    #[cfg(all(feature = "detect", not(target_arch = "wasm32")))]
    #[test]
    fn adversarial_inputs_and_scores_match_training() {
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/image-adversarial.onnx"
        ))
        .unwrap();
        let detector = ImageDetector::from_onnx(&model).unwrap();
        assert_eq!(detector.kind(), ImageDetectorKind::Adversarial);
        let v = vectors("image-adversarial");
        let (side, per_side) = (
            v["crop_size"].as_u64().unwrap() as usize,
            v["max_crops_per_side"].as_u64().unwrap() as usize,
        );
        assert_eq!(detector.preprocess, Preprocess::Crops { side, per_side });
        let images = v["images"].as_array().unwrap();
        assert!(images.len() >= 4);
        for im in images {
            let file = im["file"].as_str().unwrap();
            let (rgba, w, h) = pixels(file);
            assert_eq!(
                (u64::from(w), u64::from(h)),
                (
                    im["width"].as_u64().unwrap(),
                    im["height"].as_u64().unwrap()
                )
            );
            let view = ImageView {
                rgba: &rgba,
                width: w,
                height: h,
            };
            let ys = axis_positions(h as usize, side, per_side);
            let xs = axis_positions(w as usize, side, per_side);
            let ours: Vec<[usize; 2]> = ys
                .iter()
                .flat_map(|&y| xs.iter().map(move |&x| [y, x]))
                .collect();
            let theirs: Vec<[usize; 2]> = im["crops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    [
                        c[0].as_u64().unwrap() as usize,
                        c[1].as_u64().unwrap() as usize,
                    ]
                })
                .collect();
            assert_eq!(ours, theirs, "{file}");
            let (tensor, shape) = detector.input(&view).unwrap();
            assert_eq!(
                shape.to_vec(),
                im["tensor_shape"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_u64().unwrap() as usize)
                    .collect::<Vec<_>>(),
                "{file}"
            );
            let sum: f64 = tensor.iter().map(|&x| f64::from(x)).sum();
            assert!(
                (sum - im["tensor_sum"].as_f64().unwrap()).abs() < 1e-3,
                "{file}: {sum}"
            );
            let plane = side * side;
            for sample in im["samples"].as_array().unwrap() {
                let at: Vec<usize> = sample[0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_u64().unwrap() as usize)
                    .collect();
                let value = tensor[(at[0] * 3 + at[1]) * plane + at[2] * side + at[3]];
                assert!(
                    (f64::from(value) - sample[1].as_f64().unwrap()).abs() < 1e-6,
                    "{file} {at:?}"
                );
            }
            let scores = detector.engine.run(&tensor, &shape).unwrap();
            for (ours, theirs) in scores.iter().zip(im["crop_scores"].as_array().unwrap()) {
                assert!(
                    (f64::from(*ours) - theirs.as_f64().unwrap()).abs() < 1e-5,
                    "{file}: {ours}"
                );
            }
            let s = detector.score(&view).unwrap();
            assert!(
                (s.score - im["score"].as_f64().unwrap()).abs() < 1e-5,
                "{file}: {}",
                s.score
            );
        }
    }

    #[cfg(all(feature = "detect", not(target_arch = "wasm32")))]
    #[test]
    fn typographic_inputs_and_scores_match_training() {
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/image-typographic.onnx"
        ))
        .unwrap();
        let detector = ImageDetector::from_onnx(&model).unwrap();
        assert_eq!(detector.kind(), ImageDetectorKind::Typographic);
        let v = vectors("image-typographic");
        let g = v["grid"].as_u64().unwrap() as usize;
        assert_eq!(detector.preprocess, Preprocess::GrayGrid { side: g });
        for im in v["images"].as_array().unwrap() {
            let file = im["file"].as_str().unwrap();
            let (rgba, w, h) = pixels(file);
            let view = ImageView {
                rgba: &rgba,
                width: w,
                height: h,
            };
            let gray_sum: u64 = rgba
                .chunks_exact(4)
                .map(|p| {
                    (77 * u64::from(p[0]) + 150 * u64::from(p[1]) + 29 * u64::from(p[2]) + 128) >> 8
                })
                .sum();
            assert_eq!(gray_sum, im["gray_sum"].as_u64().unwrap(), "{file}");
            let (grid, shape) = detector.input(&view).unwrap();
            assert_eq!(shape, [1, 1, g, g]);
            let sum: f64 = grid.iter().map(|&x| f64::from(x)).sum();
            assert!(
                (sum - im["grid_sum"].as_f64().unwrap()).abs() < 1e-3,
                "{file}: {sum}"
            );
            for (k, want) in im["grid_row0"].as_array().unwrap().iter().enumerate() {
                assert!(
                    (f64::from(grid[k]) - want.as_f64().unwrap()).abs() < 1e-6,
                    "{file} row 0 #{k}"
                );
            }
            for sample in im["samples"].as_array().unwrap() {
                let (r, c) = (
                    sample[0][0].as_u64().unwrap() as usize,
                    sample[0][1].as_u64().unwrap() as usize,
                );
                assert!(
                    (f64::from(grid[r * g + c]) - sample[1].as_f64().unwrap()).abs() < 1e-6,
                    "{file} ({r}, {c})"
                );
            }
            let s = detector.score(&view).unwrap();
            assert!(
                (s.score - im["score"].as_f64().unwrap()).abs() < 1e-5,
                "{file}: {}",
                s.score
            );
        }
    }

    #[cfg(all(feature = "detect", not(target_arch = "wasm32")))]
    #[test]
    fn bad_models_and_pixels_are_typed_errors() {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/text-injection.onnx"
        ))
        .unwrap();
        assert_eq!(
            ImageDetector::from_onnx(&text).unwrap_err().code(),
            "model.unsupported"
        );
        assert_eq!(
            ImageDetector::from_onnx(b"nonsense").unwrap_err().code(),
            "model.malformed"
        );
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/image-typographic.onnx"
        ))
        .unwrap();
        assert_eq!(
            ImageDetector::from_onnx(&model[..model.len() / 2])
                .unwrap_err()
                .code(),
            "model.malformed"
        );
        let d = ImageDetector::from_onnx(&model).unwrap();
        let short = ImageView {
            rgba: &[0; 12],
            width: 2,
            height: 2,
        };
        assert_eq!(d.score(&short).unwrap_err().code(), "input.image_pixels");
        let empty = ImageView {
            rgba: &[],
            width: 0,
            height: 0,
        };
        assert_eq!(d.score(&empty).unwrap_err().code(), "input.image_pixels");
    }

    #[test]
    fn crop_positions_follow_the_rule() {
        assert_eq!(axis_positions(10, 64, 3), vec![0]);
        assert_eq!(axis_positions(64, 64, 3), vec![0]);
        assert_eq!(axis_positions(100, 64, 3), vec![18]);
        assert_eq!(axis_positions(128, 64, 3), vec![0, 64]);
        assert_eq!(axis_positions(1000, 64, 3), vec![0, 468, 936]);
    }

    #[test]
    fn bins_cover_the_side_and_repeat_columns_of_a_small_image() {
        assert_eq!(bins(4, 2), vec![(0, 1), (2, 3)]);
        assert_eq!(bins(2, 4), vec![(0, 0), (0, 0), (1, 1), (1, 1)]);
    }
}
