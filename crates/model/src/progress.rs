//! What a progress bar says beside it.

/// "about 12 s left" from the pace so far: `done` of `total` now, `done_then` when this stretch
/// started `elapsed_s` ago. `None` until there is a pace, and once done.
pub fn time_left(done_then: usize, done: usize, total: usize, elapsed_s: f64) -> Option<String> {
    let rate = done.saturating_sub(done_then) as f64 / elapsed_s.max(0.001);
    (rate > 0.0 && done < total).then(|| {
        let secs = ((total - done) as f64 / rate).ceil() as u64;
        if secs < 60 {
            format!("about {secs} s left")
        } else {
            format!("about {} min left", secs.div_ceil(60))
        }
    })
}

/// A file's size as a person reads it ("264 KB", "109.8 MB").
pub fn size_text(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1_000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_follows_the_pace() {
        assert_eq!(time_left(0, 0, 100, 5.0), None, "no pace yet");
        assert_eq!(
            time_left(0, 50, 100, 5.0).as_deref(),
            Some("about 5 s left")
        );
        assert_eq!(
            time_left(10, 20, 1_000, 1.0).as_deref(),
            Some("about 2 min left")
        );
        assert_eq!(time_left(0, 100, 100, 5.0), None, "done");
    }

    #[test]
    fn sizes_in_kb_then_mb() {
        assert_eq!(size_text(264_001), "265 KB");
        assert_eq!(size_text(109_800_000), "109.8 MB");
    }
}
