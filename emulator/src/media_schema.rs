//! The request bodies of X's v2 media endpoints as its OpenAPI document
//! declares them (`MediaUploadRequest`, `InitializeMediaUploadRequest`,
//! `AppendMediaUploadRequest`, `CreateMediaMetadataRequest`), transcribed
//! here on their own and checked by [`crate::schema`]'s validator, so that
//! a misspelt or mistyped field is refused in X's words. A multipart body
//! is checked too, once its text parts are read as JSON values
//! (`multipart`).

use serde_json::Value;

use crate::schema::{Schema, check};

/// `MediaUploadRequest.media_category`.
const UPLOAD_CATEGORIES: &[&str] = &[
    "tweet_image",
    "tweet_video",
    "tweet_gif",
    "dm_image",
    "dm_video",
    "dm_gif",
    "subtitles",
];

/// `InitializeMediaUploadRequest.media_category` (amplify_video as well).
const INITIALIZE_CATEGORIES: &[&str] = &[
    "amplify_video",
    "tweet_gif",
    "tweet_image",
    "tweet_video",
    "dm_gif",
    "dm_image",
    "dm_video",
    "subtitles",
];

const MEDIA_TYPES: &[&str] = &[
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "text/srt",
    "text/vtt",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
    "model/gltf-binary",
    "model/vnd.usdz+zip",
];

/// `media` is binary in multipart and base64 in JSON: a string either way
/// (the multipart reader puts a placeholder string in its place).
static UPLOAD: Schema = Schema::Object {
    fields: &[
        ("additional_owners", Schema::Str),
        ("media", Schema::Str),
        ("media_category", Schema::Enum(UPLOAD_CATEGORIES)),
    ],
    required: &["media", "media_category"],
};

static INITIALIZE: Schema = Schema::Object {
    fields: &[
        (
            "additional_owners",
            Schema::Array {
                item: &Schema::Id,
                min: None,
                max: None,
            },
        ),
        ("media_category", Schema::Enum(INITIALIZE_CATEGORIES)),
        ("media_type", Schema::Enum(MEDIA_TYPES)),
        ("shared", Schema::Bool),
        (
            "total_bytes",
            Schema::Int {
                min: 0,
                max: 17_179_869_184,
            },
        ),
    ],
    required: &[],
};

static APPEND: Schema = Schema::Object {
    fields: &[
        ("media", Schema::Str),
        ("segment_index", Schema::Int { min: 0, max: 999 }),
    ],
    required: &["media", "segment_index"],
};

/// `CreateMediaMetadataRequest`: X declares no `additionalProperties: false`
/// here, so unknown properties pass; `alt_text.text` is capped at 1,000.
static METADATA: Schema = Schema::Open {
    fields: &[
        ("id", Schema::Id),
        (
            "metadata",
            Schema::Open {
                fields: &[
                    (
                        "alt_text",
                        Schema::Open {
                            fields: &[("text", Schema::StrLen { min: 0, max: 1000 })],
                            required: &["text"],
                        },
                    ),
                    (
                        "allow_download_status",
                        Schema::Open {
                            fields: &[],
                            required: &[],
                        },
                    ),
                    (
                        "audience_policy",
                        Schema::Open {
                            fields: &[],
                            required: &[],
                        },
                    ),
                    ("content_expiration", Schema::Any),
                    ("domain_restrictions", Schema::Any),
                    ("found_media_origin", Schema::Any),
                    (
                        "geo_restrictions",
                        Schema::Open {
                            fields: &[],
                            required: &[],
                        },
                    ),
                    ("management_info", Schema::Any),
                    ("preview_image", Schema::Any),
                    (
                        "sensitive_media_warning",
                        Schema::Open {
                            fields: &[],
                            required: &[],
                        },
                    ),
                    ("shared_info", Schema::Any),
                    ("sticker_info", Schema::Any),
                    ("upload_source", Schema::Any),
                ],
                required: &[],
            },
        ),
    ],
    required: &["id"],
};

pub(crate) fn check_upload(body: &Value, out: &mut Vec<String>) {
    check(body, &UPLOAD, "$", out);
}

pub(crate) fn check_initialize(body: &Value, out: &mut Vec<String>) {
    check(body, &INITIALIZE, "$", out);
}

pub(crate) fn check_append(body: &Value, out: &mut Vec<String>) {
    check(body, &APPEND, "$", out);
}

pub(crate) fn check_metadata(body: &Value, out: &mut Vec<String>) {
    check(body, &METADATA, "$", out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(f: fn(&Value, &mut Vec<String>), body: Value) -> Vec<String> {
        let mut out = Vec::new();
        f(&body, &mut out);
        out
    }

    #[test]
    fn each_body_follows_its_schema() {
        assert_eq!(
            problems(
                check_upload,
                json!({"media": "AA==", "media_category": "tweet_image"})
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            problems(
                check_upload,
                json!({"media_category": "tweet_photo", "media_type": "image/png"})
            ),
            [
                "$.media: is missing but it is required",
                "$.media_category: does not have a value in the enumeration [tweet_image, tweet_video, tweet_gif, dm_image, dm_video, dm_gif, subtitles]",
                "$.media_type: is not defined in the schema and the schema does not allow additional properties",
            ]
        );
        assert_eq!(
            problems(
                check_initialize,
                json!({"media_type": "video/avi", "total_bytes": -1, "additional_owners": ["x"]})
            ),
            [
                "$.media_type: does not have a value in the enumeration [video/mp4, video/webm, video/mp2t, video/quicktime, text/srt, text/vtt, image/jpeg, image/gif, image/bmp, image/png, image/webp, image/pjpeg, image/tiff, model/gltf-binary, model/vnd.usdz+zip]",
                "$.total_bytes: must have a minimum value of 0",
                "$.additional_owners[0]: does not match the regex pattern ^[0-9]{1,19}$",
            ]
        );
        assert_eq!(
            problems(
                check_append,
                json!({"media": "AA==", "segment_index": 1000})
            ),
            ["$.segment_index: must have a maximum value of 999"]
        );
        assert_eq!(
            problems(
                check_metadata,
                json!({"id": "1", "metadata": {"alt_text": {"text": "a".repeat(1001)}}, "extra": 1})
            ),
            ["$.metadata.alt_text.text: may only be 1000 characters long"]
        );
        assert_eq!(
            problems(check_metadata, json!({"metadata": {"alt_text": {}}})),
            [
                "$.id: is missing but it is required",
                "$.metadata.alt_text.text: is missing but it is required",
            ]
        );
    }
}
