//! How the console writes times and titles: every page the same way.

/// The document title for a page title. On the server the text is
/// escaped, because leptos_meta writes the title into the HTML as it is
/// and a name like `</title><script>` would otherwise become markup; in
/// the browser it is set as `document.title`, which is text already.
pub fn document_title(title: &str) -> String {
    let title = format!("{title} · Intake");
    if cfg!(feature = "ssr") {
        title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        title
    }
}

/// An RFC 3339 UTC time (`2021-12-06T10:34:22Z`) as `2021-12-06 10:34 UTC`;
/// anything else as it came.
pub fn short_time(rfc3339: &str) -> String {
    let Some(utc) = rfc3339.strip_suffix('Z') else {
        return rfc3339.to_owned();
    };
    match utc.split_once('T') {
        Some((day, time)) => format!("{day} {} UTC", time.get(..5).unwrap_or(time)),
        None => rfc3339.to_owned(),
    }
}

/// Time spent in an activity: `45 s`, `12 min`, `3 h 05 min`.
pub fn in_status(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// A size in bytes as people read it: `23 B`, `4.2 KiB`, `6.9 MiB`.
pub fn file_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let exact = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if exact < KIB * KIB {
        format!("{:.1} KiB", exact / KIB)
    } else {
        format!("{:.1} MiB", exact / KIB / KIB)
    }
}

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn time_in_an_activity_reads_in_its_largest_unit() {
        assert_eq!(super::in_status(-3), "0 s");
        assert_eq!(super::in_status(59), "59 s");
        assert_eq!(super::in_status(60), "1 min");
        assert_eq!(super::in_status(3599), "59 min");
        assert_eq!(super::in_status(3600 + 5 * 60 + 9), "1 h 05 min");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(super::file_size(23), "23 B");
        assert_eq!(super::file_size(4_300), "4.2 KiB");
        assert_eq!(super::file_size(7 * 1024 * 1024), "7.0 MiB");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_title_is_escaped_where_the_server_writes_it() {
        assert_eq!(
            super::document_title("</title><script>&"),
            "&lt;/title&gt;&lt;script&gt;&amp; · Intake"
        );
    }

    #[test]
    fn a_time_is_shown_to_the_minute_in_utc() {
        assert_eq!(short_time("2021-12-06T10:34:22Z"), "2021-12-06 10:34 UTC");
        assert_eq!(short_time("2021-12-06T10:34:22.5Z"), "2021-12-06 10:34 UTC");
        assert_eq!(short_time("yesterday"), "yesterday");
        assert_eq!(short_time("2021-12-06 10:34 UTC"), "2021-12-06 10:34 UTC");
        assert_eq!(short_time("2021-12-06TéZ"), "2021-12-06 é UTC");
    }
}
