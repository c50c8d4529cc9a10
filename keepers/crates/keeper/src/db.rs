//! The keeper's SQLite database: what it must remember across a crash that L1 cannot tell it.
//!
//! L1 is the source of truth for games, outputs and slashes, and every keeper decides its next
//! move by reading it again, so a restart never double-submits: a move already mined shows in
//! the game's state, and a slash already mined reverts in simulation and is not sent. What the
//! database keeps is what L1 does not hold: which games this keeper plays and with which trace
//! (a scripted fault included), the signed headers the watcher collected (evidence only exists
//! off-chain until it is submitted), and which evidence was already submitted.

use alloy::primitives::B256;
use baton_l1::store::open_durable;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// A database error.
pub type DbError = rusqlite::Error;

/// One game this keeper plays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameRow {
    /// The game's id in the DisputeGame contract.
    pub id: u64,
    /// The disputed output.
    pub output_index: u64,
    /// The trace position this keeper's trace goes wrong at (scripted fault), if any.
    pub fault: Option<u64>,
    /// Whether the game has ended and its credit was handled.
    pub done: bool,
}

/// A signed L2 block header the watcher holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderRow {
    /// L2 block number.
    pub number: u64,
    /// Epoch the header names.
    pub epoch: u64,
    /// The header's EIP-712 struct hash.
    pub hash: B256,
    /// The recovered signer.
    pub signer: alloy::primitives::Address,
    /// The header as JSON (`BlockHeader`).
    pub header: String,
    /// The 65-byte signature.
    pub signature: Vec<u8>,
    /// Where it came from (a node URL, `receipt`, …).
    pub source: String,
}

/// The keeper's database.
pub struct KeeperDb {
    conn: Connection,
}

impl std::fmt::Debug for KeeperDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeeperDb").finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY,
    output_index INTEGER NOT NULL,
    fault INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    done_block INTEGER,
    done_hash BLOB
);
CREATE TABLE IF NOT EXISTS headers (
    number INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    hash BLOB NOT NULL,
    signer BLOB NOT NULL,
    header TEXT NOT NULL,
    signature BLOB NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (number, epoch, hash)
);
CREATE TABLE IF NOT EXISTS evidence (
    key TEXT PRIMARY KEY,
    detail TEXT NOT NULL,
    tx_hash TEXT,
    l1_block INTEGER NOT NULL,
    l1_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).expect("ids and heights fit SQLite's i64")
}

impl KeeperDb {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let conn = open_durable(Some(path), SCHEMA)?;
        Ok(Self { conn })
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<Self, DbError> {
        let conn = open_durable(None, SCHEMA)?;
        Ok(Self { conn })
    }

    /// A stored setting.
    pub fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    /// Stores a setting.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }

    /// A numeric setting, or `default`.
    pub fn meta_u64(&self, key: &str, default: u64) -> Result<u64, DbError> {
        Ok(self
            .meta(key)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(default))
    }

    /// Remembers a game this keeper plays (idempotent: the first fault recorded stays).
    pub fn add_game(&self, game: &GameRow) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO games (id, output_index, fault, done) VALUES (?1, ?2, ?3, ?4)",
            params![
                to_i64(game.id),
                to_i64(game.output_index),
                game.fault.map(to_i64),
                game.done
            ],
        )?;
        Ok(())
    }

    /// Marks a game ended, as seen at L1 block `(block, hash)`.
    pub fn finish_game(&self, id: u64, block: u64, hash: B256) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE games SET done = 1, done_block = ?2, done_hash = ?3 WHERE id = ?1",
            params![to_i64(id), to_i64(block), hash.as_slice()],
        )?;
        Ok(())
    }

    /// Games seen ended at L1 blocks from `from` on: `(id, block, block hash)`.
    pub fn games_ended_since(&self, from: u64) -> Result<Vec<(u64, u64, B256)>, DbError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, done_block, done_hash FROM games WHERE done = 1 AND done_block >= ?1",
        )?;
        let rows = stmt.query_map([to_i64(from)], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, i64>(1)? as u64,
                B256::from_slice(&r.get::<_, Vec<u8>>(2)?),
            ))
        })?;
        rows.collect()
    }

    /// Marks a game in progress again (a reorg removed the block that ended it).
    pub fn reopen_game(&self, id: u64) -> Result<(), DbError> {
        self.conn
            .execute("UPDATE games SET done = 0 WHERE id = ?1", [to_i64(id)])?;
        Ok(())
    }

    /// Forgets a game (a reorg removed its creation).
    pub fn remove_game(&self, id: u64) -> Result<(), DbError> {
        self.conn
            .execute("DELETE FROM games WHERE id = ?1", [to_i64(id)])?;
        Ok(())
    }

    /// Every game, ended or not, by id.
    pub fn games(&self) -> Result<Vec<GameRow>, DbError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, output_index, fault, done FROM games ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(GameRow {
                id: r.get::<_, i64>(0)? as u64,
                output_index: r.get::<_, i64>(1)? as u64,
                fault: r.get::<_, Option<i64>>(2)?.map(|f| f as u64),
                done: r.get(3)?,
            })
        })?;
        rows.collect()
    }

    /// Stores a signed header; returns whether it was new.
    pub fn put_header(&self, row: &HeaderRow) -> Result<bool, DbError> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO headers (number, epoch, hash, signer, header, signature, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                to_i64(row.number),
                to_i64(row.epoch),
                row.hash.as_slice(),
                row.signer.as_slice(),
                row.header,
                row.signature,
                row.source
            ],
        )?;
        Ok(n == 1)
    }

    /// Every header held for `(number, epoch)`.
    pub fn headers_at(&self, number: u64, epoch: u64) -> Result<Vec<HeaderRow>, DbError> {
        let mut stmt = self.conn.prepare(
            "SELECT number, epoch, hash, signer, header, signature, source FROM headers
             WHERE number = ?1 AND epoch = ?2 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![to_i64(number), to_i64(epoch)], |r| {
            Ok(HeaderRow {
                number: r.get::<_, i64>(0)? as u64,
                epoch: r.get::<_, i64>(1)? as u64,
                hash: B256::from_slice(&r.get::<_, Vec<u8>>(2)?),
                signer: alloy::primitives::Address::from_slice(&r.get::<_, Vec<u8>>(3)?),
                header: r.get(4)?,
                signature: r.get(5)?,
                source: r.get(6)?,
            })
        })?;
        rows.collect()
    }

    /// Every `(number, epoch)` with two or more headers held.
    pub fn conflicts(&self) -> Result<Vec<(u64, u64)>, DbError> {
        let mut stmt = self.conn.prepare(
            "SELECT number, epoch FROM headers GROUP BY number, epoch HAVING COUNT(*) > 1",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?;
        rows.collect()
    }

    /// Whether evidence under `key` was already submitted and mined.
    pub fn evidence_done(&self, key: &str) -> Result<bool, DbError> {
        Ok(self
            .conn
            .query_row("SELECT tx_hash FROM evidence WHERE key = ?1", [key], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten()
            .is_some())
    }

    /// Records evidence under `key` as settled at L1 block `(l1_block, l1_hash)`: mined in
    /// `tx_hash` there, or refused on the state of that block (`tx_hash` says why).
    pub fn settle_evidence(
        &self,
        key: &str,
        detail: &str,
        tx_hash: &str,
        l1_block: u64,
        l1_hash: B256,
    ) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO evidence (key, detail, tx_hash, l1_block, l1_hash)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, detail, tx_hash, to_i64(l1_block), l1_hash.as_slice()],
        )?;
        Ok(())
    }

    /// Evidence settled at L1 blocks from `from` on: `(key, block, block hash)`.
    pub fn settled_since(&self, from: u64) -> Result<Vec<(String, u64, B256)>, DbError> {
        let mut stmt = self.conn.prepare(
            "SELECT key, l1_block, l1_hash FROM evidence WHERE l1_block >= ?1 ORDER BY l1_block",
        )?;
        let rows = stmt.query_map([to_i64(from)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)? as u64,
                B256::from_slice(&r.get::<_, Vec<u8>>(2)?),
            ))
        })?;
        rows.collect()
    }

    /// Forgets one piece of settled evidence (a reorg removed the block it was settled in).
    pub fn unsettle(&self, key: &str) -> Result<(), DbError> {
        self.conn
            .execute("DELETE FROM evidence WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Forgets settled evidence whose transaction a reorg may have removed (all of it: the
    /// watcher re-checks each on L1, where a slash already mined reverts in simulation).
    pub fn unsettle_all(&self) -> Result<(), DbError> {
        self.conn.execute("DELETE FROM evidence", [])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn games_keep_their_first_fault_and_end_once() {
        let db = KeeperDb::in_memory().unwrap();
        let game = GameRow {
            id: 3,
            output_index: 1,
            fault: Some(7),
            done: false,
        };
        db.add_game(&game).unwrap();
        db.add_game(&GameRow {
            fault: None,
            ..game.clone()
        })
        .unwrap();
        assert_eq!(db.games().unwrap(), vec![game.clone()]);
        db.finish_game(3, 70, B256::repeat_byte(7)).unwrap();
        assert!(db.games().unwrap()[0].done);
        assert_eq!(db.games_ended_since(71).unwrap(), vec![]);
        assert_eq!(
            db.games_ended_since(70).unwrap(),
            vec![(3, 70, B256::repeat_byte(7))]
        );
        db.reopen_game(3).unwrap();
        assert!(!db.games().unwrap()[0].done);
        db.remove_game(3).unwrap();
        assert!(db.games().unwrap().is_empty());
    }

    #[test]
    fn two_headers_at_one_height_are_a_conflict() {
        let db = KeeperDb::in_memory().unwrap();
        let row = |hash: u8, source: &str| HeaderRow {
            number: 5,
            epoch: 2,
            hash: B256::repeat_byte(hash),
            signer: alloy::primitives::Address::repeat_byte(1),
            header: "{}".into(),
            signature: vec![0; 65],
            source: source.into(),
        };
        assert!(db.put_header(&row(1, "a")).unwrap());
        assert!(!db.put_header(&row(1, "b")).unwrap(), "same header twice");
        assert!(db.conflicts().unwrap().is_empty());
        assert!(db.put_header(&row(2, "receipt")).unwrap());
        assert_eq!(db.conflicts().unwrap(), vec![(5, 2)]);
        assert_eq!(db.headers_at(5, 2).unwrap().len(), 2);
    }

    #[test]
    fn evidence_is_settled_once() {
        let db = KeeperDb::in_memory().unwrap();
        assert!(!db.evidence_done("liveness:4").unwrap());
        db.settle_evidence("liveness:4", "epoch 4", "0xabc", 40, B256::repeat_byte(4))
            .unwrap();
        db.settle_evidence("liveness:5", "epoch 5", "0xdef", 50, B256::repeat_byte(5))
            .unwrap();
        assert!(db.evidence_done("liveness:4").unwrap());
        assert_eq!(
            db.settled_since(45).unwrap(),
            vec![("liveness:5".to_string(), 50, B256::repeat_byte(5))]
        );
        db.unsettle("liveness:5").unwrap();
        assert!(!db.evidence_done("liveness:5").unwrap());
        assert!(db.evidence_done("liveness:4").unwrap());
        db.unsettle_all().unwrap();
        assert!(!db.evidence_done("liveness:4").unwrap());
    }
}
