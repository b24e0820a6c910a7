namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// <c>ONBUILD trigger</c>. The trigger is kept as text (heredoc bodies appended), to be stored
/// in the image config and parsed when another build uses this image as its base.
/// </summary>
/// <param name="Expression">The trigger as written, e.g. <c>RUN echo hi</c>.</param>
/// <param name="TriggerKeyword">The trigger's instruction word, upper case.</param>
internal sealed record OnbuildInstruction(InstructionSource Source, string Expression, string TriggerKeyword) : Instruction(Source);
