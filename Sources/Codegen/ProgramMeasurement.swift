import ObjectModel

/// One program of a generated object, as the report shows it.
public struct ProgramMeasurement: Codable, Hashable, Sendable {
    public var program: ProgramSymbol
    public var section: String
    public var role: String
    public var instructions: Int
    public var budget: Int
    /// Loops in the program's control flow; the unrolled profile has none.
    public var backEdges: Int
    /// The verifier's processed-instruction count, when the kernel let the tool load the object.
    public var verifiedInstructions: Int?

    enum CodingKeys: String, CodingKey {
        case program = "name", section, role, instructions, budget, backEdges, verifiedInstructions
    }

    public init(program: ProgramSymbol, section: String, instructions: Int, budget: Int, backEdges: Int, chunks: Int) {
        self.program = program
        self.section = section
        self.role = program.role(chunks: chunks)
        self.instructions = instructions
        self.budget = budget
        self.backEdges = backEdges
    }

    public var name: String { program.name }
}
