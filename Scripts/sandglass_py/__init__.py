"""Python helpers of Sandglass's scripts and test oracles (ONNX export of the model zoo, peers)."""
