import Foundation
import XCTest
import SandglassRemote

/// Words quoted for the remote shell arrive intact: checked by a real /bin/sh (what runs every
/// script on a board), also through two levels of quoting (script inside `sh -c '…'`).
final class ShellQuotingTests: XCTestCase {
    static let nasty = [
        "", "plain", "with space", "it's", "'", "''", "\"", "$HOME", "${x}", "`id`", "$(id)", "a;b", "a|b", "a&b",
        "*", "?", "[a]", "~", "~root", "a\\b", "\\", "\\'", "!", "#c", "a\nb", "\t", "-n", "x=1", "é ü 中", "%s",
    ]

    /// What /bin/sh receives as separate words for a command line.
    func words(through shellCommand: String) throws -> [String] {
        let out = try ChildProcess.run(["/bin/sh", "-c", shellCommand], timeout: 30)
        XCTAssertEqual(out.status, 0, out.stderrText)
        var parts = out.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    func testEveryWordArrivesIntact() throws {
        let command = "printf '%s\\0' " + ShellQuoting.command(Self.nasty)
        XCTAssertEqual(try words(through: command), Self.nasty)
    }

    func testWordsSurviveAScriptQuotedAgain() throws {
        // As SSHConnection sends it: the login shell runs /bin/sh -c '<script>'.
        let script = "set -e\nprintf '%s\\0' " + ShellQuoting.command(Self.nasty)
        let outer = "/bin/sh -c " + ShellQuoting.quote(script)
        XCTAssertEqual(try words(through: outer), Self.nasty)
    }

    func testRandomStrings() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab '\"$`\\!*?;&|<>(){}[]~#%=\n\t-é")
        let samples = (0..<40).map { _ in String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        XCTAssertEqual(try words(through: "printf '%s\\0' " + ShellQuoting.command(samples)), samples)
    }

    func testSafeWordsStayReadable() {
        XCTAssertEqual(ShellQuoting.quote("/usr/bin/swift"), "/usr/bin/swift")
        XCTAssertEqual(ShellQuoting.quote("--out"), "--out")
        XCTAssertEqual(ShellQuoting.quote("a=b"), "'a=b'")
        XCTAssertEqual(ShellQuoting.quote("it's"), #"'it'\''s'"#)
    }

    func testRemotePathsExpandOnlyHome() throws {
        XCTAssertEqual(RemotePath("~/.cache/sandglass").shell, "\"$HOME\"/.cache/sandglass")
        XCTAssertEqual(RemotePath("/srv/x y").shell, "'/srv/x y'")
        XCTAssertEqual(RemotePath("rel/dir").description, "~/rel/dir")
        let odd = RemotePath("~/a $(id) `b`")
        let out = try ChildProcess.run(["/bin/sh", "-c", "HOME=/h; printf '%s' \(odd.shell)"], timeout: 10)
        XCTAssertEqual(out.stdoutText, "/h/a $(id) `b`")
    }
}
