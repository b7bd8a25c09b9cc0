// Temperatures from /sys/class/thermal (thermal_zone*/type and temp, in millidegrees), recorded
// before and after each measured point or group, and the cool-down wait that a sweep's
// `cooldown-below-celsius` asks for. Most VMs expose no thermal zone: then nothing is recorded
// and the wait is skipped with a warning, never assumed.
import Foundation

public enum ThermalZones {
    /// Zone name (type, made unique with its index when repeated) → °C; nil when none is readable.
    public static func read(root: String = "/sys/class/thermal") -> [String: Double]? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return nil }
        var out: [String: Double] = [:]
        for zone in entries.filter({ $0.hasPrefix("thermal_zone") }).sorted() {
            let dir = root + "/" + zone
            guard let text = try? String(contentsOfFile: dir + "/temp", encoding: .utf8),
                  let milli = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            let type = (try? String(contentsOfFile: dir + "/type", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? zone
            let name = out[type] == nil ? type : "\(type).\(zone.dropFirst("thermal_zone".count))"
            out[name] = milli / 1000
        }
        return out.isEmpty ? nil : out
    }

    /// Waits until the hottest zone is below `celsius` (checked every 2 s, at most `maxSeconds`).
    /// Returns the seconds waited, or nil when no zone is readable (nothing to wait for).
    public static func coolDown(below celsius: Double, maxSeconds: Double = 600, root: String = "/sys/class/thermal",
                                sleep: (Double) -> Void = { usleep(UInt32($0 * 1e6)) }) -> (waited: Double, reached: Bool)? {
        guard read(root: root) != nil else { return nil }
        var waited = 0.0
        while let zones = read(root: root), let hottest = zones.values.max(), hottest >= celsius {
            if waited >= maxSeconds || Interruption.requested { return (waited, false) }
            sleep(2)
            waited += 2
        }
        return (waited, true)
    }
}
