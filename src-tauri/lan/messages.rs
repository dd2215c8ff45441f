//! The pairing messages kiosk and laptop exchange as JSON (camelCase), in order: the kiosk
//! sends [`PairStart`], the laptop answers [`PairStartReply`], the kiosk proves the code with
//! [`PairConfirm`] and the laptop with [`PairConfirmReply`].

use serde::{Deserialize, Serialize};

/// The kiosk's first step.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStart {
    /// The kiosk's id (letters, digits, hyphens; at most 64).
    pub kiosk_id: String,
    /// The name staff gave the kiosk (at most 80 characters).
    pub kiosk_name: String,
    /// SPAKE2 message, hex.
    pub msg: String,
}

/// The laptop's answer to the first step.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStartReply {
    /// Names the pairing in the second step.
    pub pairing_id: String,
    /// The laptop's SPAKE2 message, hex.
    pub msg: String,
}

/// The kiosk's second step: proof that it used the same code and saw this certificate.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairConfirm {
    /// From [`PairStartReply`].
    pub pairing_id: String,
    /// The kiosk's proof (see [`super::pairing::proof`]).
    pub proof: String,
}

/// The laptop's answer: its own proof, which the kiosk checks before trusting it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairConfirmReply {
    /// The laptop's proof.
    pub proof: String,
}
