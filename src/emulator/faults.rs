//! Seeded fault injection: which request fails, how, and whether before or after its write.
//!
//! Owns the fault menu. Faults "after the write" apply the request and then lose the response
//! (an error status or a dropped connection), which is what makes a client's "never blindly retry
//! a create" rule testable. Knows nothing about routes beyond "is this request a write".

use super::ids::SeededGenerator;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 1`.
    TooManyRequests,
    InternalServerError,
    BadGateway,
    ServiceUnavailable,
    /// Close the connection without answering, before doing anything.
    DropConnection,
    /// Apply the write, then close the connection without answering.
    DropConnectionAfterWrite,
    /// Apply the write, then answer 502 as an edge proxy would on a timeout.
    BadGatewayAfterWrite,
    /// Answer normally, but late.
    ExtraLatency,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::TooManyRequests => "429",
            Fault::InternalServerError => "500",
            Fault::BadGateway => "502",
            Fault::ServiceUnavailable => "503",
            Fault::DropConnection => "drop",
            Fault::DropConnectionAfterWrite => "drop_after_write",
            Fault::BadGatewayAfterWrite => "502_after_write",
            Fault::ExtraLatency => "latency",
        }
    }

    pub fn after_write(self) -> bool {
        matches!(
            self,
            Fault::DropConnectionAfterWrite | Fault::BadGatewayAfterWrite
        )
    }
}

const MENU: [Fault; 8] = [
    Fault::TooManyRequests,
    Fault::InternalServerError,
    Fault::BadGateway,
    Fault::ServiceUnavailable,
    Fault::DropConnection,
    Fault::DropConnectionAfterWrite,
    Fault::BadGatewayAfterWrite,
    Fault::ExtraLatency,
];

/// Extra delay of `Fault::ExtraLatency`.
pub const EXTRA_LATENCY_MS: u64 = 300;

/// Draws whether this request gets a fault. Always draws twice, so the sequence of decisions
/// depends only on the seed and the order of requests, not on the rate.
/// For reads, after-write faults become their plain counterparts (nothing to apply first).
pub fn draw(generator: &mut SeededGenerator, fault_rate: f64, is_write: bool) -> Option<Fault> {
    let roll = generator.next_unit();
    let choice = generator.next_u64();
    if roll >= fault_rate {
        return None;
    }
    let fault = MENU[usize::try_from(choice % MENU.len() as u64).unwrap_or(0)];
    Some(match fault {
        Fault::DropConnectionAfterWrite if !is_write => Fault::DropConnection,
        Fault::BadGatewayAfterWrite if !is_write => Fault::BadGateway,
        other => other,
    })
}
