using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>The skip-or-fail decision, which must hold on machines where the lab cannot run (no root needed).</summary>
public sealed class LabRequirementsSpecs
{
    private static string? AllTools(string name) => $"/usr/sbin/{name}";

    [Fact]
    public void Root_with_every_tool_runs_the_lab()
    {
        var problems = LabRequirements.FindProblems(0, AllTools, _ => true);

        Assert.Empty(problems);
        Assert.Equal(RequirementVerdict.Run, LabRequirements.Decide(problems, required: true).Verdict);
    }

    [Fact]
    public void A_developer_without_root_gets_a_skip_that_says_why()
    {
        var decision = LabRequirements.Decide(LabRequirements.FindProblems(1000, AllTools, _ => true), required: false);

        Assert.Equal(RequirementVerdict.Skip, decision.Verdict);
        Assert.Contains("root (running as euid 1000", decision.Reason);
    }

    [Fact]
    public void When_ci_requires_the_lab_a_missing_tool_is_a_failure_naming_the_tool()
    {
        var problems = LabRequirements.FindProblems(0, name => name == "conntrack" ? null : AllTools(name), _ => true);
        var decision = LabRequirements.Decide(problems, required: true);

        Assert.Equal(RequirementVerdict.Fail, decision.Verdict);
        Assert.Contains("the tools conntrack", decision.Reason);
        Assert.Contains("ROUTERADMIN_LAB=require", decision.Reason);
    }

    [Fact]
    public void A_journey_on_a_machine_with_the_lab_but_no_chromium_is_skipped_with_the_browsers_reason()
    {
        var lab = LabRequirements.Decide([], required: false);
        var browser = RequirementDecision.Decide("The browser journeys", ["Chromium at /usr/bin/chromium"], "ROUTERADMIN_BROWSER", demanded: false, "Install it");

        var reason = RequirementGate.SkipReason([lab, browser]);

        Assert.NotNull(reason);
        Assert.Contains("Chromium at /usr/bin/chromium", reason);
        RequirementGate.FailIfDemandedAndMissing([lab, browser]);
    }

    [Fact]
    public void A_demanded_environment_that_is_missing_is_not_skipped_but_fails_before_the_test_with_every_reason()
    {
        var lab = LabRequirements.Decide(LabRequirements.FindProblems(1000, AllTools, _ => true), required: true);
        var browser = RequirementDecision.Decide("The browser journeys", ["Chromium at /usr/bin/chromium"], "ROUTERADMIN_BROWSER", demanded: false, "Install it");

        Assert.Null(RequirementGate.SkipReason([lab, browser]));
        var failure = Assert.Throws<EnvironmentUnavailableException>(() => RequirementGate.FailIfDemandedAndMissing([lab, browser]));
        Assert.Contains("ROUTERADMIN_LAB=require", failure.Message);
    }

    [Fact]
    public void Everything_present_runs_without_a_skip_reason()
    {
        Assert.Null(RequirementGate.SkipReason([LabRequirements.Decide([], required: true)]));
    }
}
