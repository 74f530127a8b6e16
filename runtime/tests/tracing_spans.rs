//! With the `tracing` feature, every migration runs in a `strata.migration` span and reports
//! started / applied / failed as events.

#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records targets, span names and event messages, and the `migration` field.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

#[derive(Default)]
struct Message(String, String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "migration" {
            self.1 = value.to_owned();
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Message::default();
        span.record(&mut fields);
        self.0.lock().unwrap().push(format!(
            "{} span {} {}",
            span.metadata().target(),
            span.metadata().name(),
            fields.1
        ));
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message::default();
        event.record(&mut message);
        let metadata = event.metadata();
        self.0.lock().unwrap().push(format!("{} {} {} {}", metadata.target(), metadata.level(), message.0, message.1));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[test]
fn each_migration_has_a_span_and_events() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("0001_a.sql"), "CREATE TABLE a(x);").unwrap();
    std::fs::write(dir.path().join("0002_b.sql"), "SELECT * FROM nowhere;").unwrap();
    let migrations = strata::Migrations::from_dir(dir.path()).unwrap();
    let recorder = Recorder::default();
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    let result = tracing::subscriber::with_default(recorder.clone(), || migrations.migrator().apply(&mut conn));
    assert!(result.is_err());
    assert_eq!(
        *recorder.0.lock().unwrap(),
        [
            "strata span strata.migration 0001_a",
            "strata INFO migration started 0001_a",
            "strata INFO migration applied 0001_a",
            "strata span strata.migration 0002_b",
            "strata INFO migration started 0002_b",
            "strata ERROR migration failed 0002_b",
        ]
    );
}
