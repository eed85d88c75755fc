import Spec

/// The programs of a generated object, by role. Their ELF names are spelled here and in the
/// templates (mt_programs.h) only: the generator, the planner's report and the runner reach a
/// program through one of these, the way a bpftool skeleton's members stand for its programs.
public enum ProgramSymbol: Hashable, Sendable, Comparable {
    /// `mt_ingress` / `mt_egress`: parse, table, HTTP detection, first tail call.
    case entry(Hook)
    /// `mt_search_<k>`: the k-th chunk of the search window (the first and the last chunk).
    case searchChunk(Int)
    /// `mt_search_middle`: every chunk between the first and the last, one program in each of
    /// their `mt_progs` slots. The chunk it searches is in the scratch (`chunk`), and it goes on
    /// through constant slots (itself at slot 1, then the last chunk), which the JIT makes direct
    /// jumps: one program's code stays in the instruction cache over a long search, where
    /// a program per chunk streamed through it (the unrolled profile's 8 KiB search took 0.75-0.79
    /// of the time, timed against 26 programs in one run).
    case searchMiddleChunks
    /// `mt_finish`: copies the values and submits the event.
    case finish
    /// `mt_hold`: whether a request goes on in the flow's next segment, and holding it (only in an
    /// object whose record follows split requests).
    case hold

    static let searchPrefix = "mt_search_"
    static let searchMiddleName = "mt_search_middle"

    public var name: String {
        switch self {
        case .entry(.ingress): "mt_ingress"
        case .entry(.egress): "mt_egress"
        case .searchChunk(let chunk): "\(Self.searchPrefix)\(chunk)"
        case .searchMiddleChunks: Self.searchMiddleName
        case .finish: "mt_finish"
        case .hold: "mt_hold"
        }
    }

    /// The symbol an ELF program name stands for; nil for a name no generated object uses.
    public init?(name: String) {
        switch name {
        case "mt_ingress": self = .entry(.ingress)
        case "mt_egress": self = .entry(.egress)
        case "mt_finish": self = .finish
        case "mt_hold": self = .hold
        case Self.searchMiddleName: self = .searchMiddleChunks
        default:
            guard name.hasPrefix(Self.searchPrefix), let chunk = Int(name.dropFirst(Self.searchPrefix.count)), chunk >= 0 else {
                return nil
            }
            self = .searchChunk(chunk)
        }
    }

    public var isSearchChunk: Bool {
        switch self {
        case .searchChunk, .searchMiddleChunks: true
        case .entry, .finish, .hold: false
        }
    }

    /// What the program does, as the report shows it.
    public func role(chunks: Int) -> String {
        switch self {
        case .entry(let hook): "entry (tc \(hook.rawValue))"
        case .searchChunk(let chunk): "search chunk \(chunk + 1) of \(chunks)"
        case .searchMiddleChunks: "search chunks 2-\(chunks - 1) of \(chunks)"
        case .finish: "finish (emit event)"
        case .hold: "hold (request goes on)"
        }
    }

    /// Entries first (egress before ingress, by name), then the chunks in chain order (the middle
    /// ones' program after the first chunk), then finish, then hold.
    public static func < (lhs: ProgramSymbol, rhs: ProgramSymbol) -> Bool {
        func rank(_ symbol: ProgramSymbol) -> (Int, Int, String) {
            switch symbol {
            case .entry: (0, 0, symbol.name)
            case .searchChunk(let chunk): (1, chunk == 0 ? 0 : chunk + 1, symbol.name)
            case .searchMiddleChunks: (1, 1, symbol.name)
            case .finish: (2, 0, symbol.name)
            case .hold: (3, 0, symbol.name)
            }
        }
        return rank(lhs) < rank(rhs)
    }
}

extension ProgramSymbol: Codable {
    public init(from decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let symbol = ProgramSymbol(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(name)' is not a meshtrace program"))
        }
        self = symbol
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// The maps of a generated object. Like `ProgramSymbol`, the only place their names are spelled
/// outside the templates (which declare `mt_progs`, `mt_counters` and the per-CPU scratch).
public enum MapSymbol: Hashable, Sendable {
    /// The ring buffer of event records.
    case events
    /// ifindex → tracing point index for ifindexes from `TracingPointMaps.directLimit` on (hash).
    case points
    /// ifindex → tracing point index + 1 below `TracingPointMaps.directLimit` (array).
    case pointsDirect
    /// Per-CPU `KernelCounter` totals.
    case counters
    /// The tail-call chain: chunk k at index k, finish after the last chunk, then mt_hold (split requests).
    case tailCalls
    /// Each table's action for packets no entry matches, by table index.
    case tableDefaults
    /// A match-action table, by its spec name.
    case table(String)
    /// A flow map, by its spec name.
    case flow(String)
    /// Requests whose header block goes on in the flow's next segment, by inner 5-tuple and tracing point (LRU).
    case requests

    public var name: String {
        switch self {
        case .events: "mt_events"
        case .points: "mt_points"
        case .pointsDirect: "mt_points_direct"
        case .counters: "mt_counters"
        case .tailCalls: "mt_progs"
        case .tableDefaults: "mt_table_defaults"
        case .table(let table): "mt_table_\(CName.sanitize(table))"
        case .flow(let map): "mt_flow_\(CName.sanitize(map))"
        case .requests: "mt_requests"
        }
    }
}
