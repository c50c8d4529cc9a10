//! The logs index (`evm_logs`): every log of every stored block, by block and position, indexed
//! by address and by first topic, and the query `eth_getLogs` answers from. The range a query
//! may cover and the logs it may return are bounded, with errors that say how to narrow it.

use crate::{StateDb, StoreError};
use alloy_primitives::{Address, B256, Log, LogData};
use rusqlite::{Connection, params_from_iter, types::Value};

/// The most blocks one query may cover.
pub const MAX_LOG_BLOCK_RANGE: u64 = 10_000;
/// The most logs one query may return.
pub const MAX_LOGS: usize = 10_000;

/// What `eth_getLogs` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// The first block.
    pub from: u64,
    /// The last block.
    pub to: u64,
    /// Logs of any of these contracts; empty: any.
    pub addresses: Vec<Address>,
    /// Per topic position, any of these values; `None` or empty: any.
    pub topics: [Option<Vec<B256>>; 4],
}

/// A log with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLog {
    /// Its block.
    pub block: u64,
    /// Its position in the block.
    pub log_index: u64,
    /// Its transaction's position in the block.
    pub tx_index: u64,
    /// Its transaction's hash.
    pub tx_hash: B256,
    /// The log.
    pub log: Log,
}

/// A query the index does not answer.
#[derive(Debug, thiserror::Error)]
pub enum LogQueryError {
    /// `from` is after `to`.
    #[error("fromBlock {from} is after toBlock {to}")]
    Reversed {
        /// The first block asked.
        from: u64,
        /// The last block asked.
        to: u64,
    },
    /// Too many blocks.
    #[error(
        "the range {from}..={to} covers more than {MAX_LOG_BLOCK_RANGE} blocks: query at most \
         {MAX_LOG_BLOCK_RANGE} blocks at a time"
    )]
    RangeTooLarge {
        /// The first block asked.
        from: u64,
        /// The last block asked.
        to: u64,
    },
    /// Too many logs.
    #[error(
        "the query matches more than {MAX_LOGS} logs: narrow the block range or the filter \
         (the first {MAX_LOGS} end in block {last_block})"
    )]
    TooManyLogs {
        /// The block of the last log that fits.
        last_block: u64,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Indexes the logs of a block's transactions (`logs[i]` are transaction `i`'s).
pub(crate) fn index_logs<'a>(
    conn: &Connection,
    block: u64,
    transactions: impl IntoIterator<Item = (B256, &'a [Log])>,
) -> Result<(), StoreError> {
    let mut log_index = 0i64;
    for (tx_index, (tx_hash, logs)) in transactions.into_iter().enumerate() {
        for log in logs {
            let topic = |i: usize| log.topics().get(i).map(|t| t.to_vec());
            conn.prepare_cached(
                "INSERT INTO evm_logs (block, log_index, tx_index, tx_hash, address, topic0, \
                 topic1, topic2, topic3, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(rusqlite::params![
                sql(block),
                log_index,
                tx_index as i64,
                tx_hash.as_slice(),
                log.address.as_slice(),
                topic(0),
                topic(1),
                topic(2),
                topic(3),
                log.data.data.as_ref(),
            ])?;
            log_index += 1;
        }
    }
    Ok(())
}

impl StateDb {
    /// The logs `filter` matches, in chain order.
    pub fn logs(&self, filter: &LogFilter) -> Result<Vec<StoredLog>, LogQueryError> {
        let (from, to) = (filter.from, filter.to);
        if from > to {
            return Err(LogQueryError::Reversed { from, to });
        }
        if to - from >= MAX_LOG_BLOCK_RANGE {
            return Err(LogQueryError::RangeTooLarge { from, to });
        }
        let mut sql_text = String::from(
            "SELECT block, log_index, tx_index, tx_hash, address, topic0, topic1, topic2, topic3, \
             data FROM evm_logs WHERE block BETWEEN ?1 AND ?2",
        );
        let mut values: Vec<Value> = vec![Value::Integer(sql(from)), Value::Integer(sql(to))];
        let mut any_of = |column: &str, options: Vec<Vec<u8>>, values: &mut Vec<Value>| {
            let marks: Vec<String> = options
                .into_iter()
                .map(|option| {
                    values.push(Value::Blob(option));
                    format!("?{}", values.len())
                })
                .collect();
            sql_text.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
        };
        if !filter.addresses.is_empty() {
            let options = filter.addresses.iter().map(|a| a.to_vec()).collect();
            any_of("address", options, &mut values);
        }
        for (position, topics) in filter.topics.iter().enumerate() {
            if let Some(topics) = topics.as_ref().filter(|t| !t.is_empty()) {
                let options = topics.iter().map(|t| t.to_vec()).collect();
                any_of(&format!("topic{position}"), options, &mut values);
            }
        }
        sql_text.push_str(&format!(
            " ORDER BY block, log_index LIMIT {}",
            MAX_LOGS + 1
        ));
        let mut statement = self.conn.prepare(&sql_text).map_err(StoreError::from)?;
        let rows = statement
            .query_map(params_from_iter(values), |r| {
                let word = |bytes: Vec<u8>| B256::try_from(bytes.as_slice()).unwrap_or_default();
                let topics: Vec<B256> = (5..9)
                    .filter_map(|i| r.get::<_, Option<Vec<u8>>>(i).transpose())
                    .map(|t| t.map(word))
                    .collect::<rusqlite::Result<_>>()?;
                Ok(StoredLog {
                    block: r.get::<_, i64>(0)? as u64,
                    log_index: r.get::<_, i64>(1)? as u64,
                    tx_index: r.get::<_, i64>(2)? as u64,
                    tx_hash: word(r.get(3)?),
                    log: Log {
                        address: Address::try_from(r.get::<_, Vec<u8>>(4)?.as_slice())
                            .unwrap_or_default(),
                        data: LogData::new_unchecked(topics, r.get::<_, Vec<u8>>(9)?.into()),
                    },
                })
            })
            .map_err(StoreError::from)?;
        let mut logs = Vec::new();
        for row in rows {
            logs.push(row.map_err(StoreError::from)?);
        }
        if logs.len() > MAX_LOGS {
            return Err(LogQueryError::TooManyLogs {
                last_block: logs[MAX_LOGS - 1].block,
            });
        }
        Ok(logs)
    }
}
