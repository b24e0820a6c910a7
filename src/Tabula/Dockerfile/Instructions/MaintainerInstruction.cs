namespace Tabula.Dockerfile.Instructions;

/// <summary><c>MAINTAINER name</c> (deprecated; sets the config's Author).</summary>
internal sealed record MaintainerInstruction(InstructionSource Source, string Maintainer) : Instruction(Source);
