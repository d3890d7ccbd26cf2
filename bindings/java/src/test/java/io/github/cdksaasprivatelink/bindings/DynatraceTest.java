package io.github.cdksaasprivatelink.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cdksaasprivatelink.DynatraceActiveGateToken;
import io.github.cdksaasprivatelink.DynatraceActiveGateTokenProps;
import io.github.cdksaasprivatelink.DynatraceEnvironment;
import io.github.cdksaasprivatelink.DynatracePrivateLink;
import io.github.cdksaasprivatelink.DynatracePrivateLinkProps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * The Dynatrace same-region example (examples/dynatrace-same-region/main.ts), written in Java
 * against the jar that jsii-pacmak builds from this repository, synthesized and checked.
 */
class DynatraceTest {

  private static Stack buildStack() {
    App app = new App();
    // Environment-agnostic: no AWS account or credentials needed, no lookups.
    Stack stack = new Stack(app, "DynatraceSameRegion");
    Vpc vpc = Vpc.Builder.create(stack, "Vpc")
        .ipAddresses(IpAddresses.cidr("10.60.0.0/16"))
        .maxAzs(2)
        .natGateways(0)
        .subnetConfiguration(List.of(SubnetConfiguration.builder()
            .name("Private").subnetType(SubnetType.PRIVATE_ISOLATED).cidrMask(24).build()))
        .flowLogs(Map.of("all", FlowLogOptions.builder()
            .destination(FlowLogDestination.toCloudWatchLogs(LogGroup.Builder.create(stack, "FlowLogs")
                .retention(RetentionDays.ONE_YEAR)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build()))
            .build()))
        .build();
    ISecret apiToken = Secret.fromSecretNameV2(stack, "ApiToken", "dynatrace/api-token");
    DynatraceEnvironment environment = DynatraceEnvironment.saas("abc12345");

    new DynatracePrivateLink(stack, "Dynatrace", DynatracePrivateLinkProps.builder()
        .environment(environment).apiToken(apiToken).apiTokenField("apiToken").vpc(vpc).build());
    new DynatraceActiveGateToken(stack, "ActiveGateToken", DynatraceActiveGateTokenProps.builder()
        .environment(environment).apiToken(apiToken).apiTokenField("apiToken").tokenName("vpc-activegate").build());
    return stack;
  }

  @Test
  @SuppressWarnings("unchecked")
  void dynatraceSameRegionSynthesizesThroughTheJavaBinding() {
    Template template = Template.fromStack(buildStack());

    Map<String, Number> expected = new LinkedHashMap<>();
    expected.put("AWS::EC2::VPCEndpoint", 1);
    expected.put("AWS::Route53::HostedZone", 1);
    expected.put("AWS::Route53::RecordSet", 1);
    expected.put("Custom::DynatracePrivateLink", 2);
    expected.put("Custom::PrivateLinkAzFilter", 1);
    expected.put("Custom::DynatraceActiveGateToken", 1);
    expected.put("AWS::SecretsManager::Secret", 1);
    expected.put("Custom::PrivateLinkProbe", 1);
    // The Dynatrace API handler, the AZ filter, the token handler, its rotation function, and the probe's runner and in-VPC function.
    expected.put("AWS::Lambda::Function", 6);
    expected.forEach(template::resourceCountIs);

    Map<String, Object> resources = (Map<String, Object>) template.toJSON().get("Resources");

    Map<String, Object> zone = only(resources, "AWS::Route53::HostedZone");
    assertEquals("abc12345.live.dynatrace.com.", properties(zone).get("Name"));

    // The endpoint's service name is read from Dynatrace by the Allowlist custom resource at deploy time.
    Map<String, Object> endpoint = only(resources, "AWS::EC2::VPCEndpoint");
    Map<String, Object> serviceName = (Map<String, Object>) properties(endpoint).get("ServiceName");
    assertEquals(List.of("Fn::GetAtt"), new ArrayList<>(serviceName.keySet()));
    List<Object> getAtt = (List<Object>) serviceName.get("Fn::GetAtt");
    assertEquals("ServiceName", getAtt.get(1));
    Map<String, Object> allowlist = (Map<String, Object>) resources.get((String) getAtt.get(0));
    assertEquals("Custom::DynatracePrivateLink", allowlist.get("Type"));
    assertEquals("Allowlist", properties(allowlist).get("Operation"));
    assertEquals("https://abc12345.live.dynatrace.com", properties(allowlist).get("ApiUrl"));
    assertEquals("apiToken", properties(allowlist).get("TokenSecretField"));

    List<String> operations = new ArrayList<>();
    for (Object r : resources.values()) {
      Map<String, Object> resource = (Map<String, Object>) r;
      if ("Custom::DynatracePrivateLink".equals(resource.get("Type"))) {
        operations.add((String) properties(resource).get("Operation"));
      }
    }
    Collections.sort(operations);
    assertEquals(List.of("Allowlist", "Enable"), operations);

    Map<String, Object> token = only(resources, "Custom::DynatraceActiveGateToken");
    assertEquals("vpc-activegate", properties(token).get("Name"));
    assertEquals("ENVIRONMENT", properties(token).get("ActiveGateType"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> only(Map<String, Object> resources, String type) {
    List<Map<String, Object>> found = new ArrayList<>();
    for (Object r : resources.values()) {
      Map<String, Object> resource = (Map<String, Object>) r;
      if (type.equals(resource.get("Type"))) {
        found.add(resource);
      }
    }
    assertEquals(1, found.size(), "resources of type " + type);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(Map<String, Object> resource) {
    return (Map<String, Object>) resource.get("Properties");
  }
}
