// Reconnecting after a dropped link: exponential backoff (1, 2, 4 … 30 s), and sleeps that end
// early on Ctrl-C so that stopping never waits out a backoff.
import Foundation
import SandglassHarness

struct Backoff {
    var delay = 1.0
    let maximum = 30.0
    private(set) var started: Date?

    /// Seconds since the first failure of the current streak.
    var elapsed: TimeInterval { started.map { Date().timeIntervalSince($0) } ?? 0 }

    mutating func next() -> TimeInterval {
        if started == nil { started = Date() }
        let d = delay
        delay = min(maximum, delay * 2)
        return d
    }

    mutating func reset() {
        delay = 1
        started = nil
    }
}

/// Sleeps up to `seconds`, returning early once Ctrl-C was pressed.
func sleepInterruptibly(_ seconds: TimeInterval) {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end && !Interruption.requested { usleep(100_000) }
}
