import CLibBPF
import Foundation

/// A consumer of a BPF ring-buffer map: `poll` hands each record to `handler`, in order.
public final class RingBuffer {
    /// Bytes the kernel puts before every record (BPF_RINGBUF_HDR_SZ): what a record takes of the ring is its size plus these.
    public static let recordHeaderBytes = 8

    private var ring: OpaquePointer?
    private let handler: (UnsafeRawBufferPointer) -> Void

    public init(map: BPFMap, handler: @escaping (UnsafeRawBufferPointer) -> Void) throws {
        self.handler = handler
        let context = Unmanaged.passUnretained(self).toOpaque()
        ring = ring_buffer__new(map.fd, { context, data, size in
            guard let context, let data else { return 0 }
            let consumer = Unmanaged<RingBuffer>.fromOpaque(context).takeUnretainedValue()
            consumer.handler(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }, context, nil)
        guard ring != nil else { throw BPFError.system(operation: "opening ring buffer \(map.name)", errno: errno) }
    }

    deinit {
        ring_buffer__free(ring)
    }

    /// Waits up to `timeoutMs` for a wakeup, then consumes every record there is; returns how
    /// many. The programs wake the consumer only once three quarters of the ring wait
    /// (`MT_RINGBUF_WAKE_BYTES`), so the records below that are read when the wait ends.
    @discardableResult
    public func poll(timeoutMs: Int32) -> Int {
        let woken = ring_buffer__poll(ring, timeoutMs)
        let waiting = ring_buffer__consume(ring)
        return Int(max(0, woken)) + Int(max(0, waiting))
    }
}
