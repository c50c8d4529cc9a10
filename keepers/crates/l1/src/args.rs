//! The command-line arguments every command that talks to L1 shares, declared once and flattened
//! into `baton node`, the keepers and the user commands. Every flag also reads a `BATON_*`
//! environment variable (`.env.example`).

use alloy::{signers::local::PrivateKeySigner, transports::http::reqwest::Url};
use baton_bindings::Deployment;
use clap::Args;
use std::{path::PathBuf, time::Duration};

/// Where L1 is and what is deployed on it.
#[derive(Clone, Debug, Args)]
pub struct L1Args {
    /// L1 JSON-RPC endpoint.
    #[arg(long, env = "BATON_L1_RPC", default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: Url,
    /// The deployment record written by the deploy script.
    #[arg(
        long,
        env = "BATON_DEPLOYMENT",
        default_value = "deployments/31337.json"
    )]
    pub deployment: PathBuf,
    /// The L2 genesis file (default: script/genesis/<profile of the deployment>.json).
    #[arg(long, env = "BATON_GENESIS")]
    pub genesis: Option<PathBuf>,
}

impl L1Args {
    /// The genesis file to read for `deployment`.
    pub fn genesis_path(&self, deployment: &Deployment) -> PathBuf {
        self.genesis
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("script/genesis/{}.json", deployment.profile)))
    }
}

/// How a long-running process follows L1 (the node and the keepers).
#[derive(Clone, Debug, Args)]
pub struct FollowArgs {
    /// L1 blocks behind the head before a log is read.
    #[arg(long, env = "BATON_L1_CONFIRMATIONS", default_value_t = 0)]
    pub confirmations: u64,
    /// Milliseconds between L1 polls.
    #[arg(long = "l1-poll-ms", env = "BATON_L1_POLL_MS", default_value = "250", value_parser = parse_ms)]
    pub l1_poll: Duration,
}

/// Where a key comes from: an env/flag private key or an encrypted keystore. Every command that
/// sends shares it: the node (its operator key), the keepers and the user commands.
#[derive(Clone, Debug, Args)]
pub struct KeyArgs {
    /// Hex private key that sends this command's L1 transactions (for `baton node`: the
    /// operator key, which also signs headers unless --signer-key is given).
    #[arg(
        long,
        env = "BATON_PRIVATE_KEY",
        hide_env_values = true,
        conflicts_with = "keystore"
    )]
    pub private_key: Option<String>,
    /// Encrypted JSON keystore of that key (alternative to --private-key).
    #[arg(long, env = "BATON_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// Password of the keystore.
    #[arg(long, env = "BATON_KEYSTORE_PASSWORD", hide_env_values = true)]
    pub keystore_password: Option<String>,
}

/// Why [`KeyArgs::load`] found no usable key; each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The private key does not parse.
    #[error("--private-key / BATON_PRIVATE_KEY is not a 32-byte hex private key")]
    BadPrivateKey,
    /// A keystore without its password.
    #[error("--keystore needs --keystore-password or BATON_KEYSTORE_PASSWORD")]
    NoPassword,
    /// The keystore does not open with that password (or is not a keystore).
    #[error("cannot decrypt the keystore {path}: {source}")]
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// What alloy's keystore reader said.
        #[source]
        source: alloy::signers::local::LocalSignerError,
    },
    /// Neither source given.
    #[error("no key: pass --private-key (BATON_PRIVATE_KEY) or --keystore (BATON_KEYSTORE)")]
    Missing,
    /// Both sources given.
    #[error("pass either --private-key or --keystore, not both")]
    Both,
}

impl KeyArgs {
    /// Loads the key, saying what to fix when it cannot.
    pub fn load(&self) -> Result<PrivateKeySigner, KeyError> {
        match (&self.private_key, &self.keystore) {
            (Some(key), None) => key.trim().parse().map_err(|_| KeyError::BadPrivateKey),
            (None, Some(path)) => {
                let password = self
                    .keystore_password
                    .as_deref()
                    .ok_or(KeyError::NoPassword)?;
                PrivateKeySigner::decrypt_keystore(path, password).map_err(|source| {
                    KeyError::Keystore {
                        path: path.clone(),
                        source,
                    }
                })
            }
            (None, None) => Err(KeyError::Missing),
            (Some(_), Some(_)) => Err(KeyError::Both),
        }
    }
}

/// Parses a positive number of milliseconds (the `--…-ms` flags of the node and the keepers).
pub fn parse_ms(s: &str) -> Result<Duration, String> {
    let ms: u64 = s
        .parse()
        .map_err(|_| format!("{s} is not a number of milliseconds"))?;
    if ms == 0 {
        return Err("must be at least 1 ms".into());
    }
    Ok(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_must_be_a_positive_number() {
        assert_eq!(parse_ms("250"), Ok(Duration::from_millis(250)));
        assert!(parse_ms("0").unwrap_err().contains("at least 1 ms"));
        assert!(parse_ms("1s").unwrap_err().contains("not a number"));
    }

    #[test]
    fn a_key_comes_from_exactly_one_source() {
        let key = |private_key: Option<&str>, keystore: Option<&str>| KeyArgs {
            private_key: private_key.map(str::to_string),
            keystore: keystore.map(PathBuf::from),
            keystore_password: None,
        };
        let anvil0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcad784d7bf4f2ff80";
        assert!(key(Some(anvil0), None).load().is_ok());
        assert!(matches!(
            key(Some("0x12"), None).load(),
            Err(KeyError::BadPrivateKey)
        ));
        assert!(matches!(
            key(None, Some("k.json")).load(),
            Err(KeyError::NoPassword)
        ));
        assert!(matches!(key(None, None).load(), Err(KeyError::Missing)));
        assert!(matches!(
            key(Some(anvil0), Some("k.json")).load(),
            Err(KeyError::Both)
        ));
    }
}
