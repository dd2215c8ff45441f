//! The front-desk laptop over the clinic's LAN (issue #5). The laptop (front-desk mode)
//! serves HTTPS with its own certificate; a kiosk pairs with it once by a short code shown on
//! the laptop ([`pairing`]), then pins that certificate and signs every request with the
//! secret both derived. The laptop accepts requests only from paired kiosks, drops ones it
//! already has, and logs why it refuses anything. Nothing personal crosses the LAN in clear.
//!
//! No Tauri here: [`FrontDesk`] answers requests, [`server`] puts it on a TLS port, and
//! [`client`] is the kiosk's side.
//!
//! Anyone on the LAN can reach the port (issue #11). Pairing tries are counted per address: an
//! address that gave [`pairing::MAX_TRIES`] wrong codes is refused until a new code is shown,
//! so one device guessing cannot close the code for the real kiosk; only
//! [`pairing::MAX_WRONG_PER_CODE`] wrong tries from many addresses close it (what keeps the
//! odds of a guessed code tiny). Whether a code is open is never said: without one, the
//! laptop answers the first step as if one were open, and the second step fails as a wrong
//! code would. Refusals are logged at most once per address per [`LOG_INTERVAL_MS`], with
//! what the other side sent escaped and cut short. What a paired kiosk sends is checked by the
//! callback form's own rules before it is stored.
//!
//! The laptop's side is [`laptop`] (its request checks in `checks`), the kiosk's
//! [`client`]; [`messages`] are what they exchange, [`refusals`] what the laptop logs;
//! [`fleet`] is what kiosks report of their health and the packs staff send them (issue #15).

mod checks;
pub mod client;
pub mod fleet;
pub mod laptop;
pub mod messages;
pub mod pairing;
pub mod refusals;
pub mod server;
pub mod status;
/// The pairing tables live with the rest of kiosk.db (`crate::store::lan`).
pub use crate::store::lan as store;
pub mod tls;

pub use laptop::{CodeView, FrontDesk};
pub use messages::{PairConfirm, PairConfirmReply, PairStart, PairStartReply};
pub use refusals::{escaped, RefusalLog};

/// The front desk as a destination of the kiosk's outbox.
pub use crate::callbacks::outbox::FRONT_DESK;
/// The port the laptop listens on unless the config says otherwise.
pub const DEFAULT_PORT: u16 = 8470;
/// Header naming the sending kiosk.
pub const KIOSK_HEADER: &str = "X-Kiosk-Id";
/// Refusals from one address are logged at most once in this many milliseconds.
pub const LOG_INTERVAL_MS: i64 = 60_000;
/// Addresses whose refusals and pairing tries are remembered at once.
const MAX_SOURCES: usize = 4096;

/// An answer: HTTP status and a short reason (never personal data).
pub type Answer = (u16, String);
