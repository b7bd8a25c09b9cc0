import XCTest
import SandglassRemote

/// ssh's own messages (OpenSSH 9) mapped to the failure classes and their exit codes.
final class SSHFailureClassifierTests: XCTestCase {
    func kind(_ stderr: String) -> RemoteError.Kind? {
        SSHFailureClassifier.classify(status: 255, stderr: stderr, destination: "root@b")?.kind
    }

    func testClasses() {
        XCTAssertEqual(kind("ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n"), .unreachable)
        XCTAssertEqual(kind("ssh: Could not resolve hostname nope: Name or service not known\r\n"), .unreachable)
        XCTAssertEqual(kind("ssh: connect to host 10.0.0.9 port 22: No route to host\r\n"), .unreachable)
        XCTAssertEqual(kind("ssh: connect to host 10.255.255.1 port 22: Connection timed out\r\n"), .timeout)
        XCTAssertEqual(kind("root@127.0.0.1: Permission denied (publickey).\r\n"), .authentication)
        XCTAssertEqual(kind("No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\r\nHost key verification failed.\r\n"), .hostKey)
        XCTAssertEqual(kind("@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\nHost key verification failed.\r\n"), .hostKey)
        XCTAssertEqual(kind(""), .unreachable)
        XCTAssertNil(SSHFailureClassifier.classify(status: 1, stderr: "sh: 1: false", destination: "b"))
        XCTAssertTrue(SSHFailureClassifier.classify(status: 255, stderr: "REMOTE HOST IDENTIFICATION HAS CHANGED", destination: "b")!.message.contains("CHANGED"))
    }

    func testDistinctExitCodes() {
        let codes = [RemoteError.Kind.unreachable, .authentication, .hostKey, .boardSetup, .diskFull, .buildFailed].map(\.exitCode)
        XCTAssertEqual(Set(codes.dropFirst()).count, codes.count - 1)
        XCTAssertFalse(codes.contains(0))
        XCTAssertFalse(codes.contains(2))
        XCTAssertEqual(RemoteError.Kind.interrupted.exitCode, 130)
    }

    func testMessagesAreOneLine() {
        let e = SSHFailureClassifier.classify(status: 255, stderr: "line one\r\nroot@b: Permission denied (publickey).\r\n", destination: "b")!
        XCTAssertFalse(e.message.contains("\n") || e.message.contains("\r"), e.message)
    }
}
