/// A fixed-capacity FIFO ring: push fails instead of growing, so memory stays flat.
struct BoundedQueue<Element> {
    private var slots: [Element?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        slots = Array(repeating: nil, count: capacity)
    }

    var isEmpty: Bool { count == 0 }
    var first: Element? { count == 0 ? nil : slots[head] }

    mutating func push(_ element: Element) -> Bool {
        guard count < slots.count else { return false }
        slots[(head + count) % slots.count] = element
        count += 1
        return true
    }

    /// Removes and returns up to `limit` elements, oldest first.
    mutating func pop(upTo limit: Int) -> [Element] {
        let taken = min(limit, count)
        var result: [Element] = []
        result.reserveCapacity(taken)
        for _ in 0..<taken {
            result.append(slots[head]!)
            slots[head] = nil
            head = (head + 1) % slots.count
        }
        count -= taken
        return result
    }
}
