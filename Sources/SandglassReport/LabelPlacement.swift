// Label placement, one rule for every plot: each text gets an estimated bounding box (font size
// × character count, erring wide), and a label is drawn only where its box keeps a minimum gap
// from every box already taken (tick labels, titles, legend entries, other labels, markers)
// and stays inside its allowed area. A label tries its candidate positions in order (its
// preferred spot first, then nudges away from it); when none fits, it is dropped and the
// placer records it, so that the plot can list what it left out instead of overprinting.
import Foundation

/// An axis-aligned box in SVG pixels (y grows downwards).
public struct TextBox: Equatable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = min(minX, maxX); self.maxX = max(minX, maxX)
        self.minY = min(minY, maxY); self.maxY = max(minY, maxY)
    }

    /// Average glyph advance as a fraction of the font size: above the average of Helvetica,
    /// Arial and DejaVu Sans for this text (digits, lower case, punctuation), so estimates err wide.
    public static let advance = 0.6
    /// Height above the baseline and depth below it, as fractions of the font size.
    public static let ascent = 0.8
    public static let descent = 0.25

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }

    /// The estimated box of `text` drawn at (x, y) (the baseline's anchor point) with the
    /// given font size and text-anchor; `rotate` (degrees, about (x, y)) handles the
    /// quarter turns that axis titles use.
    public static func estimate(_ text: String, x: Double, y: Double, size: Double, anchor: String = "start",
                                rotate: Double? = nil) -> TextBox {
        let w = Double(text.count) * size * advance
        let start: Double
        switch anchor {
        case "middle": start = x - w / 2
        case "end": start = x - w
        default: start = x
        }
        let box = TextBox(minX: start, minY: y - size * ascent, maxX: start + w, maxY: y + size * descent)
        guard let rotate, rotate != 0 else { return box }
        return box.rotated(rotate, aboutX: x, y: y)
    }

    /// The bounding box of this box rotated by `degrees` about (cx, cy).
    public func rotated(_ degrees: Double, aboutX cx: Double, y cy: Double) -> TextBox {
        let a = degrees * Double.pi / 180
        let c = cos(a), s = sin(a)
        let corners = [(minX, minY), (maxX, minY), (minX, maxY), (maxX, maxY)].map { p -> (Double, Double) in
            let dx = p.0 - cx, dy = p.1 - cy
            return (cx + dx * c - dy * s, cy + dx * s + dy * c)
        }
        let xs = corners.map(\.0), ys = corners.map(\.1)
        return TextBox(minX: xs.min()!, minY: ys.min()!, maxX: xs.max()!, maxY: ys.max()!)
    }

    /// The box grown by `d` on every side.
    public func grown(by d: Double) -> TextBox {
        TextBox(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d)
    }

    /// Whether the two boxes come closer than `gap` (touching at a gap of 0 does not count).
    public func overlaps(_ other: TextBox, gap: Double = 0) -> Bool {
        minX < other.maxX + gap && other.minX < maxX + gap && minY < other.maxY + gap && other.minY < maxY + gap
    }

    public func contains(_ other: TextBox) -> Bool {
        other.minX >= minX && other.maxX <= maxX && other.minY >= minY && other.maxY <= maxY
    }

    /// Whether the segment from (x1, y1) to (x2, y2) passes through the box (Liang–Barsky clipping).
    public func isCrossed(by x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> Bool {
        let dx = x2 - x1, dy = y2 - y1
        let sides: [(Double, Double)] = [(-dx, x1 - minX), (dx, maxX - x1), (-dy, y1 - minY), (dy, maxY - y1)]
        var t0 = 0.0, t1 = 1.0
        for (p, q) in sides {
            if p == 0 {
                if q < 0 { return false }
                continue
            }
            let r = q / p
            if p < 0 {
                if r > t1 { return false }
                t0 = max(t0, r)
            } else {
                if r < t0 { return false }
                t1 = min(t1, r)
            }
        }
        return t0 <= t1
    }

    /// The union of several boxes (nil for none).
    public static func union(_ boxes: [TextBox]) -> TextBox? {
        guard let first = boxes.first else { return nil }
        return boxes.dropFirst().reduce(first) {
            TextBox(minX: min($0.minX, $1.minX), minY: min($0.minY, $1.minY), maxX: max($0.maxX, $1.maxX), maxY: max($0.maxY, $1.maxY))
        }
    }
}

/// A candidate position for a label: the anchor point of its baseline and its text-anchor.
public struct LabelSpot: Sendable {
    public var x: Double
    public var y: Double
    public var anchor: String

    public init(_ x: Double, _ y: Double, anchor: String = "start") { self.x = x; self.y = y; self.anchor = anchor }
}

/// Places labels so that no two boxes come closer than `gap`; see the file's comment.
public struct LabelPlacer: Sendable {
    /// A line that labels must not cross (a ceiling, a series' line, an error bar).
    public struct Segment: Sendable {
        public var x1, y1, x2, y2: Double
        /// Lets a label sit on its own line (`place(…, onSegment:)`).
        public var tag: String?
    }

    /// Where labels may go.
    public var area: TextBox
    /// The least distance between two boxes, in pixels.
    public var gap: Double
    /// Boxes already taken: fixed text, markers, placed labels.
    public private(set) var taken: [TextBox]
    public private(set) var segments: [Segment] = []
    /// Labels with no room, in the order they were tried.
    public private(set) var dropped: [String] = []

    public init(area: TextBox, gap: Double = 2, taken: [TextBox] = []) {
        self.area = area; self.gap = gap; self.taken = taken
    }

    /// Marks a box as taken (a marker, text drawn elsewhere).
    public mutating func reserve(_ box: TextBox) { taken.append(box) }

    /// Marks a line as one that labels must not cross.
    public mutating func reserveSegment(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, tag: String? = nil) {
        segments.append(Segment(x1: x1, y1: y1, x2: x2, y2: y2, tag: tag))
    }

    /// Whether `box` fits: inside the area, clear of every taken box by the gap, and crossed
    /// by no reserved line (except those tagged `ownSegment`).
    public func fits(_ box: TextBox, ownSegment: String? = nil) -> Bool {
        guard area.contains(box), !taken.contains(where: { $0.overlaps(box, gap: gap) }) else { return false }
        return !segments.contains { s in
            (ownSegment == nil || s.tag != ownSegment) && box.grown(by: gap / 2).isCrossed(by: s.x1, s.y1, s.x2, s.y2)
        }
    }

    /// Takes the first spot at which `text` fits and returns it; nil when none does (the
    /// label is then recorded in `dropped` under `name`, or its text). `onSegment` names the
    /// reserved line the label may sit on (its own).
    public mutating func place(_ text: String, size: Double, spots: [LabelSpot], name: String? = nil,
                               onSegment: String? = nil) -> LabelSpot? {
        placeBlock([text], size: size, lineHeight: 0, spots: spots, name: name, onSegment: onSegment)
    }

    /// Like `place`, for a block of lines `lineHeight` apart (the first line's baseline at the spot).
    public mutating func placeBlock(_ lines: [String], size: Double, lineHeight: Double, spots: [LabelSpot],
                                    name: String? = nil, onSegment: String? = nil) -> LabelSpot? {
        for spot in spots {
            let boxes = lines.enumerated().map { i, line in
                TextBox.estimate(line, x: spot.x, y: spot.y + Double(i) * lineHeight, size: size, anchor: spot.anchor)
            }
            guard let box = TextBox.union(boxes) else { return spot }
            if fits(box, ownSegment: onSegment) {
                taken.append(box)
                return spot
            }
        }
        dropped.append(name ?? lines.joined(separator: " "))
        return nil
    }

    /// The preferred spot, then nudges up and down by `step`, alternating and growing:
    /// y, y − step, y + step, y − 2·step, … (`count` nudges each way).
    public static func verticalNudges(_ spot: LabelSpot, step: Double, count: Int) -> [LabelSpot] {
        var out = [spot]
        guard count > 0 else { return out }
        for k in 1...count {
            out.append(LabelSpot(spot.x, spot.y - Double(k) * step, anchor: spot.anchor))
            out.append(LabelSpot(spot.x, spot.y + Double(k) * step, anchor: spot.anchor))
        }
        return out
    }
}
