//! The shared devnet harness (`baton-devnet`): a real anvil with the real deployment.

pub(crate) use baton_devnet::{foundry_tool, start};
