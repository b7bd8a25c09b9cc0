import Glibc
import SandglassEngine
import SandglassProbes

/// Plans a model for the probe tests (single thread, the best ISA here).
func plannedModel(width: Double = 1.0, resolution: Int = 224, alpha: IdentityMultiplier = .one,
                  threads: Int = 1) throws -> Plan {
    let spec = ModelSpec(architecture: .mobilenext, width: width, alpha: alpha, resolution: resolution)
    let plan = try Planner.plan(try spec.build(), options: PlanOptions(threads: threads))
    plan.setRandomInput(seed: 1)
    return plan
}

/// Runs `body` on a new thread and waits, so that pinning it leaves the test runner's thread alone.
func onFreshThread(_ body: @escaping () -> Void) {
    final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    pthread_join(thread, nil)
}
