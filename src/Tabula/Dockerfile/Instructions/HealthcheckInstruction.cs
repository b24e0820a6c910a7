namespace Tabula.Dockerfile.Instructions;

/// <summary><c>HEALTHCHECK NONE</c> or <c>HEALTHCHECK [--interval --timeout --start-period --start-interval --retries] CMD …</c>.</summary>
internal sealed record HealthcheckInstruction(InstructionSource Source, HealthcheckConfig Health) : Instruction(Source);
