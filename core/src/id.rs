//! Identifier newtypes. Ids are UUIDv7 (time-ordered, so indexes stay append-mostly) stored as
//! text, which keeps the schema portable between SQLite and PostgreSQL.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// Parses the textual form; `None` for anything that is not a UUID.
            pub fn parse(text: &str) -> Option<Self> {
                uuid::Uuid::parse_str(text.trim()).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A booking; also the correlation id of every message of its saga.
    BookingId
);
uuid_id!(
    /// An employee of the company (managers are employees too).
    EmployeeId
);
uuid_id!(
    /// A holiday resort.
    ResortId
);
uuid_id!(
    /// A type of room at a resort; a resort's first, default type shares the resort's id.
    RoomTypeId
);
uuid_id!(
    /// One message on the bus; consumers remember it in their inbox.
    MessageId
);
