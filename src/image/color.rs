//! Colour management: pixels described by an embedded ICC profile converted
//! to sRGB, so that dropping the profile (the output carries no metadata)
//! does not change how the image looks.

use image::RgbaImage;

/// Converts `img` from the colour space `icc` describes to sRGB, alpha kept.
///
/// # Errors
/// Why the profile cannot be applied (malformed, not an RGB profile, or a
/// build without the `icc` feature), as words for the report; `img` is then
/// left as it was.
#[cfg(not(feature = "icc"))]
pub(crate) fn to_srgb(_img: &mut RgbaImage, _icc: &[u8]) -> Result<(), String> {
    Err(String::from(
        "this build has no colour management (the crate's icc feature)",
    ))
}

/// See the other `to_srgb`.
#[cfg(feature = "icc")]
pub(crate) fn to_srgb(img: &mut RgbaImage, icc: &[u8]) -> Result<(), String> {
    use moxcms::{ColorProfile, Layout, TransformOptions};
    let source =
        ColorProfile::new_from_slice(icc).map_err(|e| format!("unreadable profile ({e})"))?;
    let transform = source
        .create_transform_8bit(
            Layout::Rgba,
            &ColorProfile::new_srgb(),
            Layout::Rgba,
            TransformOptions::default(),
        )
        .map_err(|e| format!("profile cannot map to sRGB ({e})"))?;
    let mut out = vec![0u8; img.as_raw().len()];
    transform
        .transform(img.as_raw(), &mut out)
        .map_err(|e| format!("conversion failed ({e})"))?;
    img.copy_from_slice(&out);
    Ok(())
}

#[cfg(all(test, feature = "icc"))]
mod tests {
    use super::*;
    use moxcms::ColorProfile;

    #[test]
    fn display_p3_becomes_more_saturated_srgb_and_srgb_stays() {
        let p3 = ColorProfile::new_display_p3().encode().unwrap();
        let mut img = RgbaImage::from_pixel(4, 4, image::Rgba([200, 100, 50, 128]));
        to_srgb(&mut img, &p3).unwrap();
        let [r, g, b, a] = img.get_pixel(1, 1).0;
        // P3 is wider: the same numbers mean a more saturated colour, which
        // sRGB writes with a higher red and lower green and blue.
        assert!(r > 200 && g < 100 && b < 50, "{:?}", (r, g, b));
        assert_eq!(a, 128);
        let srgb = ColorProfile::new_srgb().encode().unwrap();
        let mut same = RgbaImage::from_pixel(2, 2, image::Rgba([200, 100, 50, 255]));
        to_srgb(&mut same, &srgb).unwrap();
        let p = same.get_pixel(0, 0).0;
        assert!(
            p.iter()
                .zip([200u8, 100, 50, 255])
                .all(|(x, y)| x.abs_diff(y) <= 1),
            "{p:?}"
        );
    }

    #[test]
    fn broken_profiles_are_refused_and_leave_the_pixels() {
        let mut img = RgbaImage::from_pixel(2, 2, image::Rgba([1, 2, 3, 4]));
        let before = img.clone();
        assert!(to_srgb(&mut img, b"not a profile").is_err());
        let mut p3 = ColorProfile::new_display_p3().encode().unwrap();
        p3.truncate(p3.len() / 2);
        assert!(to_srgb(&mut img, &p3).is_err());
        assert_eq!(img, before);
    }
}

#[cfg(all(test, not(feature = "icc")))]
mod without_icc {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn conversion_is_refused_and_the_pixels_kept() {
        let mut img = RgbaImage::from_pixel(2, 2, image::Rgba([1, 2, 3, 4]));
        let why = to_srgb(&mut img, b"any profile").unwrap_err();
        assert!(why.contains("icc feature"), "{why}");
        assert_eq!(img.get_pixel(0, 0).0, [1, 2, 3, 4]);
    }
}
