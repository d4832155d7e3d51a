//! The static type of a value, as far as the expression shows it.
//!
//! Literals, casts and functions have known types; columns and `sql!` fragments do not. The
//! rendering needs the type where the databases disagree by type (integer or float division,
//! text comparison, casts), and the checks use it to refuse what Rust would refuse.

/// What the expression knows about a value's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueType {
    Integer,
    Float,
    Text,
    Boolean,
    Timestamp,
    /// The literal `None`: NULL fits every type.
    Null,
    /// A column or a `sql!` fragment.
    Unknown,
}

impl ValueType {
    /// The type as a noun phrase, for messages: "an integer".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ValueType::Integer => "an integer",
            ValueType::Float => "a float",
            ValueType::Text => "text",
            ValueType::Boolean => "a boolean",
            ValueType::Timestamp => "a timestamp",
            ValueType::Null => "NULL",
            ValueType::Unknown => "a value of unknown type",
        }
    }

    /// Whether the value may be a number (what arithmetic accepts).
    pub(crate) fn may_be_number(self) -> bool {
        matches!(
            self,
            ValueType::Integer | ValueType::Float | ValueType::Null | ValueType::Unknown
        )
    }

    /// Whether the value may be text (what text functions accept).
    pub(crate) fn may_be_text(self) -> bool {
        matches!(self, ValueType::Text | ValueType::Null | ValueType::Unknown)
    }

    /// Whether the value may be a boolean (what conditions accept).
    pub(crate) fn may_be_boolean(self) -> bool {
        matches!(
            self,
            ValueType::Boolean | ValueType::Null | ValueType::Unknown
        )
    }

    /// The type of a value that is either `self` or `other` (the branches of an `if`, the
    /// arguments of `coalesce`), or `None` when they cannot meet: PostgreSQL requires one type.
    pub(crate) fn unify(self, other: ValueType) -> Option<ValueType> {
        use ValueType::*;
        match (self, other) {
            (Null, t) | (t, Null) => Some(t),
            (Unknown, _) | (_, Unknown) => Some(Unknown),
            (Integer, Float) | (Float, Integer) => Some(Float),
            (a, b) if a == b => Some(a),
            _ => None,
        }
    }

    /// The type of `a op b` for `+ - *`: a float if either is, an integer if both are.
    pub(crate) fn arithmetic(a: ValueType, b: ValueType) -> ValueType {
        use ValueType::*;
        match (a, b) {
            (Float, _) | (_, Float) => Float,
            (Integer | Null, Integer | Null) => Integer,
            _ => Unknown,
        }
    }

    /// Whether `a` and `b` can be compared: both numbers, the same type, one unknown, or a
    /// timestamp and its text form.
    pub(crate) fn comparable(a: ValueType, b: ValueType) -> bool {
        use ValueType::*;
        matches!((a, b), (Timestamp, Text) | (Text, Timestamp)) || a.unify(b).is_some()
    }
}
