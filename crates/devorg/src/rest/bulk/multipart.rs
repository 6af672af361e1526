//! The `multipart/form-data` body of "create a job with data": a `job` part (JSON) and a
//! `content` part (the CSV). Only what that one request needs: named parts split on the boundary.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm>

use axum::body::Bytes;

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The parts of `body` as (name, content); `None` when the body is not well formed.
pub fn parts(body: &Bytes, boundary: &str) -> Option<Vec<(String, Bytes)>> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut starts = vec![];
    let mut i = 0;
    while let Some(at) = find(&body[i..], d) {
        starts.push(i + at);
        i += at + d.len();
    }
    let mut out = vec![];
    for w in starts.windows(2) {
        let part = body.slice(w[0] + d.len()..w[1]);
        // Each part: CRLF, headers, a blank line, the content, CRLF before the next delimiter.
        let part = part.strip_prefix(b"\r\n").map(|p| body.slice_ref(p))?;
        let split = find(&part, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&part[..split]).ok()?;
        let mut content = part.slice(split + 4..);
        if content.ends_with(b"\r\n") {
            content = content.slice(..content.len() - 2);
        }
        let name = headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            value.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
            })
        })?;
        out.push((name, content));
    }
    Some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_named_parts() {
        let b = boundary("multipart/form-data; boundary=BOUNDARY").unwrap();
        let body = Bytes::from_static(
            b"--BOUNDARY\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=\"job\"\r\n\r\n{\"object\":\"Account\"}\r\n--BOUNDARY\r\nContent-Type: text/csv\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\n\r\nName\nA\n\r\n--BOUNDARY--\r\n",
        );
        let parts = parts(&body, &b).unwrap();
        assert_eq!(parts[0].0, "job");
        assert_eq!(&parts[0].1[..], b"{\"object\":\"Account\"}");
        assert_eq!(parts[1].0, "content");
        assert_eq!(&parts[1].1[..], b"Name\nA\n");
        assert_eq!(boundary("application/json"), None);
    }
}
