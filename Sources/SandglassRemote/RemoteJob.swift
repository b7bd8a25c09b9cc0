// A job on the board that outlives the SSH session: the build and the sweep. Started with
// setsid + nohup (no controlling terminal, SIGHUP ignored), stdin from /dev/null and output
// to NAME.log, so a dropped connection does not touch it. Files in the job's directory:
//   NAME.pid    the wrapper shell          NAME.child  the program (what `stop` signals)
//   NAME.boot   the boot id at start       NAME.exit   the program's exit status, once it ended
// A job is running only if its wrapper is alive, has the job directory as its working
// directory, and the board has not rebooted since it started; a pid alone can be reused.
import Foundation

public struct JobStatus: Sendable, Equatable {
    public enum State: String, Sendable { case running, exited, dead, absent }
    public var state: State
    public var exitStatus: Int32?
    public var pid: Int32?
    public var rebooted = false
    public var logTail: [String] = []

    init(parsing text: String) {
        var state = State.absent
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq], value = String(line[line.index(after: eq)...])
            switch key {
            case "state": state = State(rawValue: value) ?? .absent
            case "exit": exitStatus = Int32(value)
            case "pid": pid = Int32(value)
            case "rebooted": rebooted = value == "yes"
            case "log": logTail.append(value)
            default: break
            }
        }
        self.state = state
    }
}

public struct RemoteJob: Sendable {
    /// Absolute directory of the job on the board.
    public let directory: String
    /// File name prefix: "build" or "sweep".
    public let name: String

    public init(directory: String, name: String) {
        self.directory = directory
        self.name = name
    }

    var dir: String { ShellQuoting.quote(directory) }
    var n: String { name }

    /// Starts `arguments` detached; prints pid=… once the program runs.
    public func startScript(_ arguments: [String]) -> String {
        """
        set -e
        cd \(dir)
        rm -f \(n).exit \(n).pid \(n).child \(n).exit.tmp \(n).pid.tmp
        cat /proc/sys/kernel/random/boot_id > \(n).boot 2>/dev/null || echo unknown > \(n).boot
        echo "---- sandglass: started $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> \(n).log
        setsid nohup /bin/sh -c 'echo $$ > \(n).pid.tmp && mv \(n).pid.tmp \(n).pid
        "$@" < /dev/null >> \(n).log 2>&1 &
        echo $! > \(n).child
        wait $!
        echo $? > \(n).exit.tmp && mv \(n).exit.tmp \(n).exit' sh \(ShellQuoting.command(arguments)) > /dev/null 2>&1 < /dev/null &
        i=0
        while [ ! -s \(n).child ] && [ ! -f \(n).exit ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
        if [ ! -s \(n).child ] && [ ! -f \(n).exit ]; then echo "the \(n) job did not start within 60 s (see \(directory)/\(n).log)" >&2; exit 1; fi
        echo "pid=$(cat \(n).pid 2>/dev/null)"
        """
    }

    /// Prints state=running|exited|dead|absent (+ exit=, pid=, rebooted=, log= lines).
    public func statusScript(logLines: Int = 0) -> String {
        let log = logLines > 0 ? "tail -n \(logLines) \(n).log 2>/dev/null | sed 's/^/log=/'" : ":"
        return """
        cd \(dir) 2>/dev/null || { echo state=absent; exit 0; }
        \(log)
        if [ -f \(n).exit ]; then echo state=exited; echo "exit=$(cat \(n).exit)"; exit 0; fi
        [ -f \(n).pid ] || { echo state=absent; exit 0; }
        pid=$(cat \(n).pid)
        now=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
        if [ "$(cat \(n).boot 2>/dev/null)" != "$now" ]; then echo state=dead; echo rebooted=yes; exit 0; fi
        if kill -0 "$pid" 2>/dev/null && [ "$(readlink /proc/"$pid"/cwd 2>/dev/null)" = "$(pwd -P)" ]; then
          echo state=running; echo "pid=$pid"
        elif [ -f \(n).exit ]; then
          # It ended between the two checks (the wrapper writes the status before it exits).
          echo state=exited; echo "exit=$(cat \(n).exit)"
        else
          echo state=dead; echo rebooted=no
        fi
        """
    }

    /// Sends SIGTERM to the program (if it is ours and still running); the sweep then writes
    /// what is complete and an interrupted end record, and exits.
    public func stopScript() -> String {
        """
        cd \(dir) 2>/dev/null || exit 0
        [ -f \(n).exit ] && exit 0
        child=$(cat \(n).child 2>/dev/null) || exit 0
        [ -n "$child" ] || exit 0
        if [ "$(readlink /proc/"$child"/cwd 2>/dev/null)" = "$(pwd -P)" ]; then kill -TERM "$child" 2>/dev/null || true; fi
        """
    }
}
