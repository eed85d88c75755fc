import Foundation

/// libbpf's option structs are versioned by their `sz` (C's sizeof) and rejected when bytes past
/// the fields libbpf knows are not zero. Swift leaves padding undefined and copies structs by
/// their size, not their stride, so options are built in zeroed memory and used in place.
func withZeroed<T, R>(_ type: T.Type, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
    defer { pointer.deallocate() }
    memset(pointer, 0, MemoryLayout<T>.stride)
    return try body(pointer.bindMemory(to: T.self, capacity: 1))
}
