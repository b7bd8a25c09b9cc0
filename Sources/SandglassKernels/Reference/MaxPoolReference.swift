// The scalar reference of f32_maxpool: dense NHWC in and out, windows clipped to the map.

public func referenceMaxPool(_ input: [Float], input shape: (height: Int, width: Int, channels: Int),
                             outputHeight: Int, outputWidth: Int, window k: MaxPoolWindow) -> [Float] {
    var y = [Float](repeating: 0, count: outputHeight * outputWidth * shape.channels)
    for oy in 0..<outputHeight {
        for ox in 0..<outputWidth {
            for c in 0..<shape.channels {
                var m = -Float.infinity
                for ky in 0..<k.kernelHeight {
                    let iy = oy * k.strideHeight - k.padTop + ky
                    guard iy >= 0 && iy < shape.height else { continue }
                    for kx in 0..<k.kernelWidth {
                        let ix = ox * k.strideWidth - k.padLeft + kx
                        guard ix >= 0 && ix < shape.width else { continue }
                        m = max(m, input[(iy * shape.width + ix) * shape.channels + c])
                    }
                }
                y[(oy * outputWidth + ox) * shape.channels + c] = m
            }
        }
    }
    return y
}
