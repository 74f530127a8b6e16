//! A server's schema as its catalog reports it, object by object, and how two of them differ.
//!
//! Each server's query gives rows of (kind, name, parent, definition): `column`,
//! `users.email`, `users`, `text not null default ''`. Columns, indexes, constraints and
//! triggers name the table they belong to, so that a table the down script left is one problem,
//! not one more for each of its columns. Definitions are what the server prints of an object
//! (`pg_get_indexdef`, `COLUMN_TYPE` …), never the text a script wrote, so that two spellings of
//! one definition compare equal.

use super::super::{DownChange, was_and_is};
use std::collections::{BTreeMap, BTreeSet};

/// One object of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Object {
    parent: Option<String>,
    definition: String,
}

/// The schema, by (kind, name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Catalog {
    objects: BTreeMap<(String, String), Object>,
}

impl Catalog {
    /// The catalog of the rows of a server's query: (kind, name, parent, definition), with the
    /// name of the `database` they were read from left out of definitions.
    pub fn from_rows(rows: Vec<Vec<Option<String>>>, database: &str) -> Self {
        let mut objects = BTreeMap::new();
        for row in rows {
            let mut columns = row.into_iter();
            let (Some(Some(kind)), Some(Some(name))) = (columns.next(), columns.next()) else { continue };
            let parent = columns.next().flatten().filter(|parent| !parent.is_empty());
            let definition = without_database(&columns.next().flatten().unwrap_or_default(), database);
            objects.insert((kind, name), Object { parent, definition });
        }
        Self { objects }
    }

    /// How `after` differs from this schema, as a down script's problems say it: what remains,
    /// what is missing, what is defined otherwise; the parts of a table that remains or is
    /// missing with it are left out.
    pub fn changes(&self, after: &Catalog) -> Vec<DownChange> {
        let only = |one: &Catalog, other: &Catalog| -> Vec<(String, String)> {
            one.objects.keys().filter(|key| !other.objects.contains_key(*key)).cloned().collect()
        };
        let (remains, missing) = (only(after, self), only(self, after));
        let names = |keys: &[(String, String)]| keys.iter().map(|(_, name)| name.clone()).collect::<BTreeSet<_>>();
        let (remaining_names, missing_names) = (names(&remains), names(&missing));
        let mut changes = Vec::new();
        let belongs = |catalog: &Catalog, key: &(String, String), whole: &BTreeSet<String>| {
            catalog.objects[key].parent.as_ref().is_some_and(|parent| whole.contains(parent))
        };
        for key in &missing {
            if !belongs(self, key, &missing_names) {
                changes.push(DownChange::Missing(shown(key)));
            }
        }
        for key in &remains {
            if !belongs(after, key, &remaining_names) {
                changes.push(DownChange::Remains(shown(key)));
            }
        }
        for (key, before) in &self.objects {
            if let Some(now) = after.objects.get(key).filter(|now| now.definition != before.definition) {
                changes.push(DownChange::Changed(shown(key), was_and_is(&before.definition, &now.definition)));
            }
        }
        changes
    }

    /// How many objects it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.objects.len()
    }
}

/// `text` without the qualifier `database.` (quoted or not), which MySQL writes in views and in
/// messages: the scratch database's name is the dry run's, not the user's.
pub(crate) fn without_database(text: &str, database: &str) -> String {
    if database.is_empty() || !text.contains(database) {
        return text.to_owned();
    }
    text.replace(&format!("`{database}`."), "").replace(&format!("{database}."), "")
}

/// `column `users.email``; PostgreSQL's default schema is left out of names.
fn shown((kind, name): &(String, String)) -> String {
    format!("{kind} `{}`", name.strip_prefix("public.").unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(rows: &[(&str, &str, &str, &str)]) -> Catalog {
        Catalog::from_rows(
            rows.iter()
                .map(|(kind, name, parent, definition)| {
                    vec![
                        Some((*kind).to_owned()),
                        Some((*name).to_owned()),
                        Some((*parent).to_owned()),
                        Some((*definition).to_owned()),
                    ]
                })
                .collect(),
            "strata_check_1",
        )
    }

    fn said(changes: Vec<DownChange>) -> Vec<String> {
        changes
            .into_iter()
            .map(|change| match change {
                DownChange::Remains(object) => format!("remains {object}"),
                DownChange::Missing(object) => format!("missing {object}"),
                DownChange::Changed(object, how) => format!("changed {object}: {how}"),
            })
            .collect()
    }

    #[test]
    fn a_table_that_remains_is_one_change_not_one_per_column() {
        let before =
            catalog(&[("table", "public.users", "", "r"), ("column", "public.users.id", "public.users", "integer")]);
        let after = catalog(&[
            ("table", "public.users", "", "r"),
            ("column", "public.users.id", "public.users", "integer"),
            ("table", "public.tags", "", "r"),
            ("column", "public.tags.id", "public.tags", "integer"),
            (
                "index",
                "public.tags_pkey",
                "public.tags",
                "CREATE UNIQUE INDEX tags_pkey ON public.tags USING btree (id)",
            ),
        ]);
        assert_eq!(said(before.changes(&after)), ["remains table `tags`"]);
        assert_eq!(said(after.changes(&before)), ["missing table `tags`"]);
    }

    #[test]
    fn a_column_left_missing_or_changed_is_named_with_its_table() {
        let before = catalog(&[
            ("table", "public.users", "", "r"),
            ("column", "public.users.id", "public.users", "integer"),
            ("column", "public.users.name", "public.users", "text"),
        ]);
        let after = catalog(&[
            ("table", "public.users", "", "r"),
            ("column", "public.users.id", "public.users", "bigint"),
            ("column", "public.users.email", "public.users", "text"),
        ]);
        assert_eq!(
            said(before.changes(&after)),
            [
                "missing column `users.name`",
                "remains column `users.email`",
                "changed column `users.id`: it was `integer` and is now `bigint`"
            ]
        );
        assert!(before.changes(&before).is_empty());
        assert_eq!(before.len(), 3);
    }

    #[test]
    fn the_scratch_database_s_name_is_left_out() {
        assert_eq!(
            without_database("Table 'strata_check_1.usres' doesn't exist", "strata_check_1"),
            "Table 'usres' doesn't exist"
        );
        assert_eq!(
            without_database("select `strata_check_1`.`t`.`id` AS `id` from `strata_check_1`.`t`", "strata_check_1"),
            "select `t`.`id` AS `id` from `t`"
        );
        assert_eq!(without_database("unrelated", "strata_check_1"), "unrelated");
    }

    #[test]
    fn rows_without_a_kind_or_name_are_skipped() {
        let rows = vec![vec![None, Some("x".to_owned())], vec![Some("table".to_owned())], Vec::new()];
        assert_eq!(Catalog::from_rows(rows, ""), Catalog::default());
    }
}
