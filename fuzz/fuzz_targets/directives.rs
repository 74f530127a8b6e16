//! `parse_directives` on arbitrary scripts. The input is `<file name>\0<script>`, or just the
//! script (then the file is `0001_x.sql`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_core::{Problems, parse_directives};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, script) = text.split_once('\0').unwrap_or(("0001_x.sql", &text));
    let (directives, problems) = parse_directives(script, file);
    // `str::lines` counts a last line without `\n`; one more for positions past the end.
    let lines = script.lines().count().max(1);
    for dependency in &directives.depends_on {
        assert!(dependency.version >= 0, "negative dependency {dependency:?}");
        assert!(!dependency.text.is_empty(), "empty dependency {dependency:?}");
        let position = dependency.position;
        assert!(position.line >= 1 && position.column >= 1 && position.line as usize <= lines, "{dependency:?}");
    }
    for problem in &problems {
        assert_eq!(problem.file.as_deref(), Some(file), "{problem:?}");
        assert!(!problem.message.is_empty(), "{problem:?}");
        if let Some(position) = problem.position {
            assert!(position.line >= 1 && position.column >= 1 && position.line as usize <= lines, "{problem:?}");
        }
        let _ = problem.located("migrations");
    }
    let _ = Problems::new("migrations", problems).to_string();
});
