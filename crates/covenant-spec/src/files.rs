//! Small valid files of the media types a spec documents for binary content: what
//! the mock answers a download with and what the runner uploads as a file part, so
//! a server that checks a file's magic bytes sees the type it was promised.
//!
//! ```
//! use covenant_spec::files;
//! assert_eq!(files::concrete("image/*"), "image/png");
//! assert!(files::sample("image/png").unwrap().starts_with(b"\x89PNG"));
//! assert_eq!(files::extension("application/pdf"), "pdf");
//! assert_eq!(files::sample("application/octet-stream"), None);
//! ```

use crate::http::essence;

/// `media_type`'s essence, or for a range the type it is sent as: `*/*` and
/// `application/*` -> `application/octet-stream`, `image/*` -> `image/png`,
/// `text/*` -> `text/plain`, `video/*` -> `video/mp4`, `audio/*` -> `audio/mpeg`.
pub fn concrete(media_type: &str) -> String {
    let e = essence(media_type);
    match e.as_str() {
        "*/*" | "application/*" => "application/octet-stream".into(),
        "image/*" => "image/png".into(),
        "text/*" => "text/plain".into(),
        "video/*" => "video/mp4".into(),
        "audio/*" => "audio/mpeg".into(),
        _ if e.contains('*') => "application/octet-stream".into(),
        _ => e,
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];
/// A 1x1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
/// JPEG's start and end markers.
const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xd9];

/// A minimal file of `media_type` (a range is made [`concrete`] first), when one is
/// known: PDF, PNG, GIF, JPEG.
pub fn sample(media_type: &str) -> Option<&'static [u8]> {
    Some(match concrete(media_type).as_str() {
        "application/pdf" => PDF,
        "image/png" => PNG,
        "image/gif" => GIF,
        "image/jpeg" | "image/jpg" => JPEG,
        _ => return None,
    })
}

/// The file name extension of `media_type`: `png`, `jpg`, `gif`, `pdf`, `txt`,
/// `json`, else `bin`.
pub fn extension(media_type: &str) -> &'static str {
    match concrete(media_type).as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/jpeg" | "image/jpg" => "jpg",
        "text/plain" => "txt",
        "application/json" => "json",
        _ => "bin",
    }
}
