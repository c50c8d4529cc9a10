//! What a restart of the node needs beyond the L1 tables ([`baton_l1::store`], in the same
//! file), in one embedded SQLite file.
//!
//! - **Slashing protection** (`signed`): every `(epoch, height, header hash)` the node signs is
//!   written, and the write committed, *before* the signature leaves the process. A second,
//!   different header for a height already signed in that epoch is refused, across crashes and
//!   restarts. That is exactly the pair the Slasher's evidence needs (same number and epoch), so
//!   the node can never be slashed for equivocation; a height whose block L1 never took may be
//!   signed again in a later epoch, where it is not an offence, so a dropped block never stalls
//!   the chain.
//! - **Preconfirmed blocks** (`blocks`): the blocks this node sealed or received that L1 does
//!   not hold yet, with their signatures, so a restarted leader re-offers the same blocks.
//!
//! The file runs in WAL mode with `synchronous = FULL` ([`baton_l1::store::open_durable`]): a
//! committed signature row survives a power cut, which is what slashing protection promises.

use alloy::primitives::B256;
pub use baton_core::SignedBlock;
pub use baton_l1::store::StoreError;
use baton_l1::store::{from_json, open_durable, to_b256, to_i64, to_json};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// Why the node refused to sign.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The node already signed a different header for this height in this epoch: signing again
    /// would be equivocation.
    #[error(
        "refusing to sign height {height} in epoch {epoch}: header {existing} was already signed for it"
    )]
    AlreadySigned {
        /// The epoch.
        epoch: u64,
        /// The L2 block number.
        height: u64,
        /// The header hash signed before.
        existing: B256,
    },
}

/// The node's database.
pub struct Store {
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS signed (
    epoch INTEGER NOT NULL,
    height INTEGER NOT NULL,
    header_hash BLOB NOT NULL,
    PRIMARY KEY (epoch, height)
);
CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
";

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_durable(Some(path), SCHEMA)?;
        Ok(Self { conn })
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        let conn = open_durable(None, SCHEMA)?;
        Ok(Self { conn })
    }

    /// Slashing protection: records that `header_hash` is signed at `height` in `epoch`,
    /// durably, or refuses because another header was signed there. Signing the same header again
    /// is allowed (a restarted leader re-offering its block).
    pub fn guard_signature(
        &self,
        epoch: u64,
        height: u64,
        header_hash: B256,
    ) -> Result<(), SignError> {
        match self.signed_at(epoch, height)? {
            Some(existing) if existing == header_hash => Ok(()),
            Some(existing) => Err(SignError::AlreadySigned {
                epoch,
                height,
                existing,
            }),
            None => {
                self.conn
                    .execute(
                        "INSERT INTO signed (epoch, height, header_hash) VALUES (?1, ?2, ?3)",
                        params![to_i64(epoch), to_i64(height), header_hash.as_slice()],
                    )
                    .map_err(StoreError::from)?;
                Ok(())
            }
        }
    }

    /// The header hash signed at `height` in `epoch`, if any.
    pub fn signed_at(&self, epoch: u64, height: u64) -> Result<Option<B256>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT header_hash FROM signed WHERE epoch = ?1 AND height = ?2",
                [to_i64(epoch), to_i64(height)],
                |row| row.get(0),
            )
            .optional()?;
        to_b256(bytes)
    }

    /// Saves a preconfirmed block (replacing one at the same number).
    pub fn put_block(&self, block: &SignedBlock) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO blocks (number, body) VALUES (?1, ?2)",
            params![to_i64(block.header.number), to_json(block)],
        )?;
        Ok(())
    }

    /// Preconfirmed blocks above `number`, in order.
    pub fn blocks_above(&self, number: u64) -> Result<Vec<SignedBlock>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM blocks WHERE number > ?1 ORDER BY number")?;
        let rows = stmt.query_map([to_i64(number)], |row| row.get::<_, String>(0))?;
        rows.map(|r| from_json(&r?)).collect()
    }

    /// Forgets preconfirmed blocks at or below `number` (L1 holds them now) or above it.
    pub fn delete_blocks(
        &self,
        at_or_below: Option<u64>,
        above: Option<u64>,
    ) -> Result<(), StoreError> {
        if let Some(n) = at_or_below {
            self.conn
                .execute("DELETE FROM blocks WHERE number <= ?1", [to_i64(n)])?;
        }
        if let Some(n) = above {
            self.conn
                .execute("DELETE FROM blocks WHERE number > ?1", [to_i64(n)])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_header_for_a_signed_height_is_refused_after_reopening() {
        let dir = std::env::temp_dir().join(format!("baton-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("guard.sqlite");
        let _ = std::fs::remove_file(&path);
        let a = B256::repeat_byte(1);
        let b = B256::repeat_byte(2);
        {
            let store = Store::open(&path).unwrap();
            store.guard_signature(3, 7, a).unwrap();
            // The same header again is fine.
            store.guard_signature(3, 7, a).unwrap();
        }
        let store = Store::open(&path).unwrap();
        match store.guard_signature(3, 7, b) {
            Err(SignError::AlreadySigned {
                epoch,
                height,
                existing,
            }) => {
                assert_eq!((epoch, height, existing), (3, 7, a));
            }
            other => panic!("expected AlreadySigned, got {other:?}"),
        }
        assert_eq!(store.signed_at(3, 7).unwrap(), Some(a));
        // Another height, or the same height in another epoch (not slashable), is free.
        store.guard_signature(3, 8, b).unwrap();
        store.guard_signature(4, 7, b).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
