// The only figures in a report that do not come from results files: the MobileNeXt paper's own
// numbers (Zhou et al., ECCV 2020), always shown in columns labelled as the paper's. Measured on
// a Google Pixel 4 XL with PyTorch (mean of 10 images), so absolute values do not transfer to
// other hardware; their ratios show the trend a reproduction should find.

import SandglassParameters

public enum PaperReference {
    public static let citation = "Zhou et al., Rethinking Bottleneck Structure for Efficient Mobile Network Design (ECCV 2020)"
    public static let device = "Google Pixel 4 XL, PyTorch"

    /// Table 7: MobileNeXt-1.0 latency (ms) per identity tensor multiplier α.
    public static let table7LatencyMs: [String: Double] = ["1": 211, "1/2": 196, "1/3": 195, "1/6": 188]
    /// Table 7 lists 3.4 M parameters for every α.
    public static let table7ParamsM = 3.4

    /// Table 3: (params M, MAdds M) per architecture and width, at 224 × 224.
    public static let table3: [String: [Double: (paramsM: Double, maddsM: Double)]] = [
        "mobilenetv2": [1.4: (6.9, 690), 1.0: (3.5, 300), 0.75: (2.6, 150), 0.5: (2.0, 97), 0.35: (1.7, 59)],
        "mobilenext": [1.4: (6.1, 590), 1.0: (3.4, 300), 0.75: (2.5, 210), 0.5: (2.1, 110), 0.35: (1.8, 80)],
    ]
    /// Table 3's caption: both models at width 1.0 take about 210 ms (PyTorch, Pixel 4 XL);
    /// footnote 5: 66 ms (MobileNeXt) and 68 ms (MobileNetV2) with TF-Lite on the same phone.
    public static let table3LatencyNote =
        "the paper's Table 3 caption gives about 210 ms for both models at width 1.0 (PyTorch, Pixel 4 XL); its footnote 5 gives 66 ms (MobileNeXt) and 68 ms (MobileNetV2) with TF-Lite on the same phone"

    /// The paper's Table 7 applies to MobileNeXt at width 1.0 and 224 × 224 only.
    public static func table7Applies(width: Double, resolution: Int) -> Bool { width == 1.0 && resolution == 224 }

    /// Table 6 (and Table 5 for MobileNetV2 with the extra depthwise convolution): params (M),
    /// Table 4: ImageNet top-1 (%) after post-training quantization (INT8 weights and
    /// activations) and in FP32, as printed, by model and dtype.
    public static let table4Top1: [String: [ElementType: Double]] = [
        "mobilenetv2": [.int8: 65.07, .f32: 72.25],
        "mobilenext": [.int8: 68.62, .f32: 74.02],
    ]

    /// MAdds (M) and ImageNet top-1 (%) as printed, per built-in model at width 1.0, 224 × 224.
    /// MobileNeXt's top-1 is Table 4's 74.02 (Table 6 rounds the others to one decimal).
    public static let table6: [String: (table: String, paramsM: Double, maddsM: Double, top1: Double)] = [
        "mobilenext": ("6", 3.4, 300, 74.02),
        "mobilenext-se": ("6 (MobileNeXt-1.0†)", 3.94, 330, 76.05),
        "mobilenetv2": ("6", 3.5, 300, 72.3),
        "mobilenetv2-extra-dw": ("5", 3.6, 340, 73.02),
        // Imported models by file name, where the file is the model the paper lists (torchvision's
        // efficientnet_b0 is EfficientNet-b0; its mobilenet_v3_large is width 1.0, not Table 6's
        // 0.75, and its mnasnet1_0 is MnasNet-B1, not A1: no paper row for those).
        "efficientnet_b0": ("6 (EfficientNet-b0)", 5.3, 390, 76.3),
        // Scripts/export-torchvision-models.py builds MobileNetV1-1.0 as its paper does.
        "mobilenet_v1": ("6 (MobileNetV1-1.0)", 4.2, 575, 70.6),
    ]
}
