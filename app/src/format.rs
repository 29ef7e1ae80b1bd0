//! How the console writes times: every page the same way.

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

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn a_time_is_shown_to_the_minute_in_utc() {
        assert_eq!(short_time("2021-12-06T10:34:22Z"), "2021-12-06 10:34 UTC");
        assert_eq!(short_time("2021-12-06T10:34:22.5Z"), "2021-12-06 10:34 UTC");
        assert_eq!(short_time("yesterday"), "yesterday");
        assert_eq!(short_time("2021-12-06 10:34 UTC"), "2021-12-06 10:34 UTC");
        assert_eq!(short_time("2021-12-06TéZ"), "2021-12-06 é UTC");
    }
}
