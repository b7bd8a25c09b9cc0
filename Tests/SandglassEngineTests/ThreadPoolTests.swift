import Foundation
import SandglassEngine
import XCTest

/// The pool runs every part exactly once, statically (part i on thread i) or dynamically (parts
/// taken from a shared counter by whichever thread is free), step after step.
final class ThreadPoolTests: XCTestCase {
    final class Counts: @unchecked Sendable {
        let lock = NSLock()
        var seen: [Int: Int] = [:]
        var partsSeen: Set<Int> = []
        func add(_ part: Int, _ parts: Int) {
            lock.lock(); seen[part, default: 0] += 1; partsSeen.insert(parts); lock.unlock()
        }
    }

    func testEveryPartRunsOnce() {
        let pool = ThreadPool(threads: 3)
        XCTAssertEqual(pool.threadCount, 3)
        for (requested, dynamic, expected) in [(10, true, 10), (2, true, 2), (1, true, 1), (10, false, 3), (2, false, 2)] {
            for _ in 0..<50 {
                let c = Counts()
                pool.run(parts: requested, dynamic: dynamic) { part, parts in
                    if part % 3 == 1 { usleep(50) }   // uneven parts: the others move on
                    c.add(part, parts)
                }
                XCTAssertEqual(c.seen.keys.sorted(), Array(0..<expected), "requested \(requested) dynamic \(dynamic)")
                XCTAssertTrue(c.seen.values.allSatisfy { $0 == 1 }, "each part once: \(c.seen)")
                XCTAssertEqual(c.partsSeen, [expected])
            }
        }
    }

    func testPartsPerThreadIsBounded() {
        XCTAssertEqual(PlanOptions(threads: 2, partsPerThread: 0).partsPerThread, 1)
        XCTAssertEqual(PlanOptions(threads: 2, partsPerThread: 99).partsPerThread, 16)
        XCTAssertEqual(PlanOptions(threads: 2, partsPerThread: 4).partsPerThread, 4)
    }
}
