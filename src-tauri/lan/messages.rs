//! The pairing messages kiosk and laptop exchange as JSON (camelCase), in order: the kiosk
//! sends [`PairStart`], the laptop answers [`PairStartReply`], the kiosk proves the code with
//! [`PairConfirm`] and the laptop with [`PairConfirmReply`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStart {
    pub kiosk_id: String,
    pub kiosk_name: String,
    /// SPAKE2 message, hex.
    pub msg: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStartReply {
    pub pairing_id: String,
    pub msg: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairConfirm {
    pub pairing_id: String,
    pub proof: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairConfirmReply {
    pub proof: String,
}
