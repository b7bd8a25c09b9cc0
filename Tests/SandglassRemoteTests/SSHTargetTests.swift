import XCTest
import SandglassRemote

final class SSHTargetTests: XCTestCase {
    func testForms() throws {
        XCTAssertEqual(try SSHTarget(parsing: "ssh://root@10.200.0.2"), SSHTarget(user: "root", host: "10.200.0.2"))
        XCTAssertEqual(try SSHTarget(parsing: "ssh://pi5"), SSHTarget(host: "pi5"))
        XCTAssertEqual(try SSHTarget(parsing: "ssh://pi@pi5.local:2222/"), SSHTarget(user: "pi", host: "pi5.local", port: 2222))
        XCTAssertEqual(try SSHTarget(parsing: "ssh://me@[fe80::1%eth0]:22"), SSHTarget(user: "me", host: "fe80::1%eth0", port: 22))
        XCTAssertEqual(try SSHTarget(parsing: "ssh://[::1]"), SSHTarget(host: "::1"))
        XCTAssertEqual(SSHTarget(user: "u", host: "::1", port: 2).description, "ssh://u@[::1]:2")
    }

    func testRejections() {
        for bad in ["root@host", "ssh://", "ssh://host:port", "ssh://host:0", "ssh://host:70000", "ssh://-oProxyCommand=x",
                    "ssh://a b", "ssh://@host", "ssh://host/path", "ssh://h;rm", "ssh://[::1", "ssh://u$(id)@h"] {
            XCTAssertThrowsError(try SSHTarget(parsing: bad), bad) { error in
                XCTAssertEqual((error as? RemoteError)?.kind, .usage, bad)
            }
        }
    }
}
