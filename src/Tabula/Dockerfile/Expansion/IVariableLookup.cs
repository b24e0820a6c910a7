namespace Tabula.Dockerfile.Expansion;

/// <summary>The variables a word is expanded against (a stage's ENV and ARGs at one point of the build).</summary>
internal interface IVariableLookup
{
    bool TryGet(string name, out string value);
}
