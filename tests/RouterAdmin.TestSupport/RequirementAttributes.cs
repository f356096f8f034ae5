using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit.v3;

namespace RouterAdmin.TestSupport;

/// <summary>
/// The gate shared by the attributes below. A missing environment that may be skipped is a static skip (the runner
/// reports it with the reason and never starts the test); one that CI demands is not skipped but fails in
/// <see cref="Before"/>, so the test is counted as failed with the reason instead of silently not running.
/// </summary>
public static class RequirementGate
{
    public static IEnumerable<RequirementDecision> For(bool lab, bool browser)
    {
        if (lab) yield return LabRequirements.Current;
        if (browser) yield return BrowserRequirements.Current;
    }

    public static string? SkipReason(IEnumerable<RequirementDecision> decisions)
    {
        var all = decisions.ToArray();
        return all.Any(d => d.Verdict == RequirementVerdict.Fail)
            ? null
            : string.Join(" ", all.Where(d => d.Verdict == RequirementVerdict.Skip).Select(d => d.Reason)) is { Length: > 0 } reason ? reason : null;
    }

    public static void FailIfDemandedAndMissing(IEnumerable<RequirementDecision> decisions)
    {
        var failures = decisions.Where(d => d.Verdict == RequirementVerdict.Fail).Select(d => d.Reason).ToArray();
        if (failures.Length > 0) throw new EnvironmentUnavailableException(string.Join(" ", failures));
    }
}

/// <summary>A fact that runs on the network-namespace lab (root, iptables, nft, conntrack); see <see cref="LabRequirements"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LabFactAttribute : FactAttribute, IBeforeAfterTestAttribute
{
    public LabFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = RequirementGate.SkipReason(RequirementGate.For(lab: true, browser: false));

    public void Before(MethodInfo methodUnderTest, IXunitTest test) => RequirementGate.FailIfDemandedAndMissing(RequirementGate.For(lab: true, browser: false));

    public void After(MethodInfo methodUnderTest, IXunitTest test) { }
}

/// <summary>A theory that runs on the network-namespace lab, once per data row; see <see cref="LabRequirements"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LabTheoryAttribute : TheoryAttribute, IBeforeAfterTestAttribute
{
    public LabTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = RequirementGate.SkipReason(RequirementGate.For(lab: true, browser: false));

    public void Before(MethodInfo methodUnderTest, IXunitTest test) => RequirementGate.FailIfDemandedAndMissing(RequirementGate.For(lab: true, browser: false));

    public void After(MethodInfo methodUnderTest, IXunitTest test) { }
}

/// <summary>
/// A test in headless Chromium. A journey that also builds a lab router gets the lab's gate from
/// <see cref="Lab.NetnsLab.CreateAsync"/>, by the same policy.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute, IBeforeAfterTestAttribute
{
    public BrowserFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = RequirementGate.SkipReason(RequirementGate.For(lab: false, browser: true));

    public void Before(MethodInfo methodUnderTest, IXunitTest test) => RequirementGate.FailIfDemandedAndMissing(RequirementGate.For(lab: false, browser: true));

    public void After(MethodInfo methodUnderTest, IXunitTest test) { }
}
