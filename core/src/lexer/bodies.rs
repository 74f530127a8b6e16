//! The bodies whose `;` do not end a statement, tracked word by word as the lexer reads: SQLite's
//! trigger bodies, PostgreSQL's `BEGIN ATOMIC`, MySQL's stored programs and compound statements.

use super::{LexError, LexErrorKind, is_word_byte, is_word_start};
use crate::dialect::Dialect;
use crate::problem::Position;

/// `rest` past white space and comments (empty if a comment runs to the end).
pub(super) fn past_trivia(rest: &[u8], dialect: Dialect) -> &[u8] {
    &rest[crate::scan::trivia(rest, dialect)..]
}

/// The word that comes next in `rest`, past white space and comments, and what follows it;
/// `None` if something other than a word comes next.
pub(super) fn next_word(rest: &[u8], dialect: Dialect) -> Option<(&[u8], &[u8])> {
    let rest = past_trivia(rest, dialect);
    let len = rest.iter().take_while(|&&byte| is_word_byte(byte)).count();
    rest.first().is_some_and(|&first| is_word_start(first)).then(|| rest.split_at(len))
}

/// A word upper-cased, if it is short enough to be a keyword the bodies care about: compared
/// without allocating.
pub(super) struct Keyword {
    bytes: [u8; 16],
    len: usize,
}

impl Keyword {
    fn of(word: &[u8]) -> Self {
        let mut bytes = [0; 16];
        let len = if word.len() <= bytes.len() { word.len() } else { 0 };
        for (to, from) in bytes.iter_mut().zip(&word[..len]) {
            *to = from.to_ascii_uppercase();
        }
        Self { bytes, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// What the statement being read has shown so far of a body whose `;` do not end it, by the
/// rules of its dialect.
pub(super) enum Body {
    Sqlite(TriggerState),
    Postgres(AtomicBody),
    Mysql(CompoundBody),
}

impl Body {
    pub(super) fn new(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Sqlite => Body::Sqlite(TriggerState::default()),
            Dialect::Postgres => Body::Postgres(AtomicBody::default()),
            Dialect::Mysql => Body::Mysql(CompoundBody { at_start: true, ..CompoundBody::default() }),
        }
    }

    /// Whether a `;` here belongs to the statement rather than ending it.
    pub(super) fn is_open(&self) -> bool {
        match self {
            Body::Sqlite(trigger) => trigger.body_depth > 0,
            Body::Postgres(body) => body.open.is_some(),
            Body::Mysql(body) => !body.stack.is_empty(),
        }
    }

    /// A word at `position`; `rest` is the script after it, `after_dot` whether it is the second
    /// part of a qualified name (`t.end`), never a keyword.
    pub(super) fn word(&mut self, word: &[u8], position: Position, rest: &[u8], after_dot: bool) {
        match self {
            Body::Sqlite(trigger) => trigger.word(&String::from_utf8_lossy(word), position),
            Body::Postgres(body) if !after_dot => body.word(word, position, rest),
            Body::Postgres(_) => {}
            Body::Mysql(body) => body.word(word, position, rest, after_dot),
        }
    }

    /// A character that is neither white space nor part of a word, quote or comment (a `;`
    /// only inside a body); `next` is the one after it.
    pub(super) fn symbol(&mut self, byte: u8, next: Option<u8>) {
        if let Body::Mysql(body) = self {
            body.symbol(byte, next);
        }
    }

    /// A string or quoted identifier.
    pub(super) fn quoted(&mut self) {
        if let Body::Mysql(body) = self {
            body.quoted();
        }
    }

    /// The error for a body still open at the end of the script.
    pub(super) fn unterminated(&self) -> Option<LexError> {
        let (kind, position) = match self {
            Body::Sqlite(trigger) => {
                (LexErrorKind::UnterminatedTriggerBody, trigger.body_start.filter(|_| trigger.body_depth > 0)?)
            }
            Body::Postgres(body) => {
                (LexErrorKind::UnterminatedBlock { open: "BEGIN ATOMIC", close: "END" }, body.open?)
            }
            Body::Mysql(body) => {
                let (block, position) = *body.stack.first()?;
                (LexErrorKind::UnterminatedBlock { open: block.open(), close: block.close() }, position)
            }
        };
        Some(LexError { kind, position, suspect: None })
    }
}

/// What the statement being read has shown so far of a SQLite trigger.
#[derive(Default)]
pub(super) struct TriggerState {
    /// The statement's first three words, upper-cased, to recognise `CREATE [TEMP] TRIGGER`.
    head: Vec<String>,
    is_trigger: bool,
    /// Open `BEGIN` of the body, and where the outermost one is.
    body_depth: u32,
    body_start: Option<Position>,
    /// Open `CASE` expressions, whose `END` does not close the body.
    case_depth: u32,
}

impl TriggerState {
    fn word(&mut self, word: &str, position: Position) {
        if self.head.len() < 3 {
            self.head.push(word.to_ascii_uppercase());
            let head: Vec<&str> = self.head.iter().map(String::as_str).collect();
            self.is_trigger =
                matches!(head.as_slice(), ["CREATE", "TRIGGER", ..] | ["CREATE", "TEMP" | "TEMPORARY", "TRIGGER"]);
            return;
        }
        if !self.is_trigger {
            return;
        }
        if word.eq_ignore_ascii_case("BEGIN") {
            if self.body_depth == 0 {
                self.body_start = Some(position);
            }
            self.body_depth += 1;
        } else if word.eq_ignore_ascii_case("CASE") {
            self.case_depth += 1;
        } else if word.eq_ignore_ascii_case("END") {
            if self.case_depth > 0 {
                self.case_depth -= 1;
            } else if self.body_depth > 0 {
                self.body_depth -= 1;
            }
        }
    }
}

/// What the statement being read has shown so far of a PostgreSQL SQL-standard function body:
/// `CREATE [OR REPLACE] FUNCTION | PROCEDURE … BEGIN ATOMIC … END`.
#[derive(Default)]
pub(super) struct AtomicBody {
    /// Words read, up to the routine's kind.
    words: u8,
    /// The statement is `CREATE [OR REPLACE] FUNCTION | PROCEDURE`.
    routine: bool,
    /// Where the open `BEGIN ATOMIC` is.
    open: Option<Position>,
    /// The body has been read: no other opens.
    closed: bool,
    /// Open `CASE` expressions, whose `END` does not close the body.
    case_depth: u32,
}

impl AtomicBody {
    fn word(&mut self, word: &[u8], position: Position, rest: &[u8]) {
        let keyword = Keyword::of(word);
        let keyword = keyword.as_bytes();
        if self.words < 4 && !self.routine {
            self.words = match (self.words, keyword) {
                (0, b"CREATE") | (1, b"OR") | (2, b"REPLACE") => self.words + 1,
                (1 | 3, b"FUNCTION" | b"PROCEDURE") => {
                    self.routine = true;
                    4
                }
                _ => 4,
            };
            return;
        }
        if !self.routine || self.closed {
            return;
        }
        match (self.open, keyword) {
            (None, b"BEGIN") => {
                let atomic =
                    next_word(rest, Dialect::Postgres).is_some_and(|(next, _)| next.eq_ignore_ascii_case(b"ATOMIC"));
                if atomic {
                    self.open = Some(position);
                }
            }
            (Some(_), b"CASE") => self.case_depth += 1,
            (Some(_), b"END") if self.case_depth > 0 => self.case_depth -= 1,
            (Some(_), b"END") => {
                self.open = None;
                self.closed = true;
            }
            _ => {}
        }
    }
}

/// A MySQL stored program's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Program {
    Trigger,
    Procedure,
    Function,
    Event,
}

/// How far the head of a MySQL statement has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Head {
    /// Nothing read yet.
    #[default]
    Start,
    /// `CREATE` (or `ALTER`) and modifiers (`OR REPLACE`, `AGGREGATE`): the kind comes, or more
    /// modifiers.
    Create,
    /// `DEFINER`: `=` comes.
    DefinerEquals,
    /// `DEFINER =`: the user comes.
    DefinerUser,
    /// The user's name: `@host`, `()` (`CURRENT_USER()`) or the next modifier comes.
    DefinerAfterUser,
    /// The user's `@`: the host comes, its parts joined by `.` or `-` when unquoted (`part`:
    /// one comes next).
    DefinerHost { part: bool },
    /// A stored program's head, or its body.
    Program(Program),
    /// Any other statement.
    Other,
}

/// A block of a MySQL compound statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    Begin,
    If,
    /// A `CASE` statement, closed by `END CASE`.
    CaseStatement,
    /// A `CASE` expression, closed by `END`.
    CaseExpression,
    While,
    Loop,
    Repeat,
    /// MariaDB's `FOR … DO … END FOR`.
    For,
}

impl Block {
    fn open(self) -> &'static str {
        match self {
            Block::Begin => "BEGIN",
            Block::If => "IF",
            Block::CaseStatement | Block::CaseExpression => "CASE",
            Block::While => "WHILE",
            Block::Loop => "LOOP",
            Block::Repeat => "REPEAT",
            Block::For => "FOR",
        }
    }

    fn close(self) -> &'static str {
        match self {
            Block::Begin | Block::CaseExpression => "END",
            Block::If => "END IF",
            Block::CaseStatement => "END CASE",
            Block::While => "END WHILE",
            Block::Loop => "END LOOP",
            Block::Repeat => "END REPEAT",
            Block::For => "END FOR",
        }
    }

    /// The block `END <keyword>` closes.
    fn closed_by(keyword: &[u8]) -> Option<Block> {
        match Keyword::of(keyword).as_bytes() {
            b"IF" => Some(Block::If),
            b"CASE" => Some(Block::CaseStatement),
            b"WHILE" => Some(Block::While),
            b"LOOP" => Some(Block::Loop),
            b"REPEAT" => Some(Block::Repeat),
            b"FOR" => Some(Block::For),
            _ => None,
        }
    }

    /// Whether `END <what closes self>` closes `block`: `END CASE` closes either kind of `CASE`.
    fn closes(self, block: Block) -> bool {
        self == block || (self == Block::CaseStatement && block == Block::CaseExpression)
    }
}

/// What the statement being read has shown so far of a MySQL or MariaDB compound statement:
/// a stored program's body or, in MariaDB, one outside a stored program.
///
/// Blocks are tracked by their keywords. `IF`, `REPEAT` and `FOR` are also a function or a
/// clause, so they open a block only where a statement starts: after a `;` in a block, after
/// `BEGIN`, `THEN` and `ELSE` (not a `CASE` expression's), `DO`, `LOOP`, `REPEAT` and a
/// label's `:`, and where the body starts (after a routine's characteristics, a trigger's `FOR
/// EACH ROW`, an event's `DO`). An `END` that closes no block this tracked is ignored, and a
/// plain `END` closes the innermost `BEGIN` or `CASE` with whatever is open inside it: the
/// server reports a mismatch better than a lexer can.
#[derive(Default)]
pub(super) struct CompoundBody {
    head: Head,
    /// `ALTER` rather than `CREATE`: only an event has a body then.
    alter: bool,
    /// Parenthesis depth, to find the end of a routine's parameter list.
    parens: u32,
    /// The body's start has been found (or passed): after a routine's parameter list, a
    /// trigger's `FOR EACH ROW`, an event's `DO`.
    body: bool,
    /// Between the head and the body: a routine's characteristics and return type, a trigger's
    /// `FOLLOWS | PRECEDES name`.
    tail: bool,
    /// Words of the tail still to come that are names (after `RETURNS`, `CHARSET`, `FOLLOWS`, …).
    names: u8,
    /// The tail has had `RETURNS`: type attributes may come.
    returns: bool,
    /// The previous word was `EACH`.
    after_each: bool,
    /// The open blocks, outermost first, and where each opened.
    stack: Vec<(Block, Position)>,
    /// The next token starts a statement.
    at_start: bool,
    /// Words still to come that belong to the last one (`END IF`'s `IF`, `BEGIN NOT ATOMIC`'s).
    skip: u8,
}

impl CompoundBody {
    fn in_program(&self) -> bool {
        matches!(self.head, Head::Program(_))
    }

    fn program(&self) -> Option<Program> {
        match self.head {
            Head::Program(program) => Some(program),
            _ => None,
        }
    }

    /// What a word of the head after `CREATE` or a `DEFINER` clause makes of it.
    fn after_create(&self, keyword: &[u8]) -> Head {
        match keyword {
            b"OR" | b"REPLACE" | b"AGGREGATE" => Head::Create,
            b"DEFINER" => Head::DefinerEquals,
            b"EVENT" => Head::Program(Program::Event),
            _ if self.alter => Head::Other,
            b"TRIGGER" => Head::Program(Program::Trigger),
            b"PROCEDURE" => Head::Program(Program::Procedure),
            b"FUNCTION" => Head::Program(Program::Function),
            _ => Head::Other,
        }
    }

    /// Whether a word of the tail is one of its own (a characteristic, the return type, a
    /// name) rather than the body's first.
    fn tail_word(&mut self, keyword: &[u8]) -> bool {
        if self.names > 0 {
            self.names -= 1;
            return true;
        }
        if self.parens > 0 {
            return true;
        }
        let program = self.program();
        let routine = matches!(program, Some(Program::Procedure | Program::Function));
        match keyword {
            b"RETURNS" if program == Some(Program::Function) => {
                self.returns = true;
                self.names = 1;
            }
            b"FOLLOWS" | b"PRECEDES" if program == Some(Program::Trigger) => self.names = 1,
            b"CHARSET" | b"COLLATE" if self.returns => self.names = 1,
            b"CHARACTER" if self.returns => self.names = 2,
            b"UNSIGNED" | b"SIGNED" | b"ZEROFILL" | b"BINARY" | b"ASCII" | b"UNICODE" | b"PRECISION" | b"VARYING"
                if self.returns => {}
            b"LANGUAGE" | b"SQL" | b"NOT" | b"DETERMINISTIC" | b"CONTAINS" | b"NO" | b"READS" | b"MODIFIES"
            | b"DATA" | b"SECURITY" | b"DEFINER" | b"INVOKER" | b"COMMENT"
                if routine => {}
            _ => return false,
        }
        true
    }

    fn push(&mut self, block: Block, position: Position) {
        self.stack.push((block, position));
    }

    /// `END <keyword>`: closes the innermost `block` inside the innermost `BEGIN`.
    fn close(&mut self, block: Block) {
        for at in (0..self.stack.len()).rev() {
            let open = self.stack[at].0;
            if block.closes(open) {
                self.stack.truncate(at);
                return;
            }
            if open == Block::Begin {
                return;
            }
        }
    }

    /// A plain `END`: closes the innermost `BEGIN` or `CASE`.
    fn close_end(&mut self) {
        let innermost = self
            .stack
            .iter()
            .rposition(|(block, _)| matches!(block, Block::Begin | Block::CaseStatement | Block::CaseExpression));
        if let Some(at) = innermost {
            self.stack.truncate(at);
        }
    }

    fn word(&mut self, word: &[u8], position: Position, rest: &[u8], after_dot: bool) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        let start = std::mem::take(&mut self.at_start);
        let after_each = std::mem::take(&mut self.after_each);
        if after_dot {
            return;
        }
        let keyword = Keyword::of(word);
        let keyword = keyword.as_bytes();
        match self.head {
            Head::Program(_) | Head::Other => {}
            // Perhaps a compound statement: read on, at a statement's start.
            Head::Start if !matches!(keyword, b"CREATE" | b"ALTER") => self.head = Head::Other,
            // A word of the head.
            head => {
                self.head = match head {
                    Head::Start => {
                        self.alter = keyword == b"ALTER";
                        Head::Create
                    }
                    Head::DefinerUser => Head::DefinerAfterUser,
                    Head::DefinerHost { part: true } => Head::DefinerHost { part: false },
                    Head::DefinerEquals => Head::Other,
                    _ => self.after_create(keyword),
                };
                return;
            }
        }
        if self.tail && self.stack.is_empty() {
            if self.tail_word(keyword) {
                self.at_start = true;
                return;
            }
            self.tail = false;
        }
        // Outside a stored program, only a compound statement is read.
        if !(self.in_program() || !self.stack.is_empty() || start) {
            return;
        }
        let top = self.stack.last().map(|(block, _)| *block);
        match keyword {
            b"BEGIN" => {
                let not_atomic = next_word(rest, Dialect::Mysql)
                    .filter(|(next, _)| next.eq_ignore_ascii_case(b"NOT"))
                    .and_then(|(_, rest)| next_word(rest, Dialect::Mysql))
                    .is_some_and(|(next, _)| next.eq_ignore_ascii_case(b"ATOMIC"));
                // Outside a stored program, a `BEGIN [WORK]` starts a transaction; `begin`
                // followed by one of these is a name (MySQL does not reserve it).
                let name = matches!(past_trivia(rest, Dialect::Mysql).first(), Some(b',' | b')' | b'=' | b'.'));
                if (self.in_program() || !self.stack.is_empty() || not_atomic) && !name {
                    self.push(Block::Begin, position);
                    self.at_start = true;
                    self.skip = if not_atomic { 2 } else { 0 };
                }
            }
            b"IF" if start => self.push(Block::If, position),
            b"FOR" if start => self.push(Block::For, position),
            b"REPEAT" if start => {
                self.push(Block::Repeat, position);
                self.at_start = true;
            }
            b"LOOP" => {
                self.push(Block::Loop, position);
                self.at_start = true;
            }
            b"WHILE" => self.push(Block::While, position),
            b"CASE" => self.push(if start { Block::CaseStatement } else { Block::CaseExpression }, position),
            b"THEN" | b"ELSE" => self.at_start = top.is_some_and(|block| block != Block::CaseExpression),
            b"DO" if matches!(top, Some(Block::While | Block::For)) => self.at_start = true,
            b"DO" if top.is_none() && self.program() == Some(Program::Event) && !self.body => {
                self.body = true;
                self.at_start = true;
            }
            b"EACH" => self.after_each = true,
            b"ROW" if top.is_none() && self.program() == Some(Program::Trigger) && !self.body && after_each => {
                self.body = true;
                self.tail = true;
                self.at_start = true;
            }
            b"END" if top.is_some() => {
                match next_word(rest, Dialect::Mysql).and_then(|(next, _)| Block::closed_by(next)) {
                    Some(block) => {
                        self.skip = 1;
                        self.close(block);
                    }
                    None => self.close_end(),
                }
            }
            _ => {}
        }
    }

    fn symbol(&mut self, byte: u8, next: Option<u8>) {
        let start = std::mem::take(&mut self.at_start);
        self.after_each = false;
        self.head = match (self.head, byte) {
            (Head::DefinerEquals, b'=') => Head::DefinerUser,
            (Head::DefinerAfterUser, b'@') => Head::DefinerHost { part: true },
            (Head::DefinerAfterUser, b'(' | b')') => Head::DefinerAfterUser,
            (Head::DefinerHost { .. }, b'.' | b'-') => Head::DefinerHost { part: true },
            (Head::DefinerHost { .. }, b'0'..=b'9') => Head::DefinerHost { part: false },
            (head @ (Head::Program(_) | Head::Other), _) => head,
            _ => Head::Other,
        };
        if self.tail && self.stack.is_empty() {
            // A return type's `(10, 2)`.
            match byte {
                b'(' => self.parens += 1,
                b')' if self.parens > 0 => self.parens -= 1,
                _ if self.parens > 0 => {}
                _ => self.tail = false,
            }
            if self.tail {
                self.at_start = start;
                return;
            }
        }
        match byte {
            b'(' => self.parens += 1,
            b')' => {
                self.parens = self.parens.saturating_sub(1);
                // The end of a routine's parameter list: its characteristics or body follow.
                let routine = matches!(self.program(), Some(Program::Procedure | Program::Function));
                if routine && self.parens == 0 && !self.body {
                    self.body = true;
                    self.tail = true;
                    self.at_start = true;
                }
            }
            b';' => self.at_start = true,
            // A label's `:`, not `:=`.
            b':' if next != Some(b'=') && (self.in_program() || !self.stack.is_empty()) => {
                self.at_start = true;
            }
            _ => {}
        }
    }

    fn quoted(&mut self) {
        let start = std::mem::take(&mut self.at_start);
        self.after_each = false;
        self.head = match self.head {
            Head::DefinerUser => Head::DefinerAfterUser,
            Head::DefinerHost { .. } => Head::DefinerHost { part: false },
            head @ (Head::Program(_) | Head::Other) => head,
            _ => Head::Other,
        };
        if self.tail && self.stack.is_empty() {
            // A `COMMENT 'text'`, a `FOLLOWS` trigger's quoted name.
            self.names = self.names.saturating_sub(1);
            self.at_start = start;
        }
    }
}
