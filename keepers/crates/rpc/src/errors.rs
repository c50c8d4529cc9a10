//! Error codes, as geth uses them where a wallet looks: `-32000` for a transaction the pool
//! refuses (nonce too low, insufficient funds, ...), `-32602` for malformed parameters and
//! undecodable transactions, `-32601` for unknown methods (the server's own), `-32001` for a
//! request the node understands but cannot serve. Every message says what is wrong, with the
//! numbers that matter.

use jsonrpsee::types::ErrorObjectOwned;

/// geth's code for a transaction the node refuses.
pub const TX_REJECTED: i32 = -32000;
/// JSON-RPC invalid params.
pub const INVALID_PARAMS: i32 = -32602;
/// JSON-RPC internal error (the node's own fault: a database error).
pub const INTERNAL: i32 = -32603;
/// A request the node understands but cannot serve (historical state, unknown block).
pub const UNSUPPORTED: i32 = -32001;

/// An error with `code` and `message` and no data.
pub fn rpc_error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}
/// EIP-1474's "limit exceeded": a query past a bound the node sets (a log range, a result
/// count); the message says the bound and how to narrow.
pub const LIMIT_EXCEEDED: i32 = -32005;
