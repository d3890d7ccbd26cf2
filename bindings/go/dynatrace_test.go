// The Dynatrace same-region example (examples/dynatrace-same-region/main.ts), written in Go
// against the module that jsii-pacmak generates from this repository (dist/go/cdksaasprivatelink,
// wired in by go.mod's replace directive), synthesized and checked. Run by bindings/run.sh.
package bindings

import (
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/maintainers/cdk-saas-privatelink-go/cdksaasprivatelink"
)

func buildStack() awscdk.Stack {
	app := awscdk.NewApp(nil)
	// Environment-agnostic: no AWS account or credentials needed, no lookups.
	stack := awscdk.NewStack(app, jsii.String("DynatraceSameRegion"), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		IpAddresses: awsec2.IpAddresses_Cidr(jsii.String("10.60.0.0/16")),
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name:       jsii.String("Private"),
			SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED,
			CidrMask:   jsii.Number(24),
		}},
		FlowLogs: &map[string]*awsec2.FlowLogOptions{
			"all": {
				Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(awslogs.NewLogGroup(stack, jsii.String("FlowLogs"), &awslogs.LogGroupProps{
					Retention:     awslogs.RetentionDays_ONE_YEAR,
					RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
				}), nil),
			},
		},
	})
	apiToken := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("ApiToken"), jsii.String("dynatrace/api-token"))
	environment := cdksaasprivatelink.DynatraceEnvironment_Saas(jsii.String("abc12345"))

	cdksaasprivatelink.NewDynatracePrivateLink(stack, jsii.String("Dynatrace"), &cdksaasprivatelink.DynatracePrivateLinkProps{
		Environment:   environment,
		ApiToken:      apiToken,
		ApiTokenField: jsii.String("apiToken"),
		Vpc:           vpc,
	})
	cdksaasprivatelink.NewDynatraceActiveGateToken(stack, jsii.String("ActiveGateToken"), &cdksaasprivatelink.DynatraceActiveGateTokenProps{
		Environment:   environment,
		ApiToken:      apiToken,
		ApiTokenField: jsii.String("apiToken"),
		TokenName:     jsii.String("vpc-activegate"),
	})
	return stack
}

func only(t *testing.T, resources map[string]interface{}, resourceType string) map[string]interface{} {
	t.Helper()
	var found []map[string]interface{}
	for _, r := range resources {
		resource := r.(map[string]interface{})
		if resource["Type"] == resourceType {
			found = append(found, resource)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want 1 resource of type %s, got %d", resourceType, len(found))
	}
	return found[0]
}

func props(resource map[string]interface{}) map[string]interface{} {
	return resource["Properties"].(map[string]interface{})
}

func TestDynatraceSameRegionSynthesizesThroughTheGoBinding(t *testing.T) {
	template := assertions.Template_FromStack(buildStack(), nil)

	expected := []struct {
		resourceType string
		count        float64
	}{
		{"AWS::EC2::VPCEndpoint", 1},
		{"AWS::Route53::HostedZone", 1},
		{"AWS::Route53::RecordSet", 1},
		{"Custom::DynatracePrivateLink", 2},
		{"Custom::PrivateLinkAzFilter", 1},
		{"Custom::DynatraceActiveGateToken", 1},
		{"AWS::SecretsManager::Secret", 1},
		{"Custom::PrivateLinkProbe", 1},
		// The Dynatrace API handler, the AZ filter, the token handler, its rotation function, and the probe's runner and in-VPC function.
		{"AWS::Lambda::Function", 6},
	}
	for _, e := range expected {
		// Panics (fails the test) with the CDK's own message when the count differs.
		template.ResourceCountIs(jsii.String(e.resourceType), jsii.Number(e.count))
	}

	resources := (*template.ToJSON())["Resources"].(map[string]interface{})

	zone := only(t, resources, "AWS::Route53::HostedZone")
	if got := props(zone)["Name"]; got != "abc12345.live.dynatrace.com." {
		t.Errorf("hosted zone name: got %v", got)
	}

	// The endpoint's service name is read from Dynatrace by the Allowlist custom resource at deploy time.
	endpoint := only(t, resources, "AWS::EC2::VPCEndpoint")
	serviceName, ok := props(endpoint)["ServiceName"].(map[string]interface{})
	if !ok || len(serviceName) != 1 {
		t.Fatalf("ServiceName: want a single Fn::GetAtt, got %v", props(endpoint)["ServiceName"])
	}
	getAtt, ok := serviceName["Fn::GetAtt"].([]interface{})
	if !ok || len(getAtt) != 2 || getAtt[1] != "ServiceName" {
		t.Fatalf("ServiceName: want Fn::GetAtt [<allowlist>, ServiceName], got %v", serviceName)
	}
	allowlist, ok := resources[getAtt[0].(string)].(map[string]interface{})
	if !ok {
		t.Fatalf("ServiceName refers to a missing resource %v", getAtt[0])
	}
	if allowlist["Type"] != "Custom::DynatracePrivateLink" || props(allowlist)["Operation"] != "Allowlist" {
		t.Errorf("ServiceName must come from the Allowlist custom resource, got %v %v", allowlist["Type"], props(allowlist)["Operation"])
	}
	if got := props(allowlist)["ApiUrl"]; got != "https://abc12345.live.dynatrace.com" {
		t.Errorf("ApiUrl: got %v", got)
	}
	if got := props(allowlist)["TokenSecretField"]; got != "apiToken" {
		t.Errorf("TokenSecretField: got %v", got)
	}

	var operations []string
	for _, r := range resources {
		resource := r.(map[string]interface{})
		if resource["Type"] == "Custom::DynatracePrivateLink" {
			operations = append(operations, props(resource)["Operation"].(string))
		}
	}
	sort.Strings(operations)
	if len(operations) != 2 || operations[0] != "Allowlist" || operations[1] != "Enable" {
		t.Errorf("Dynatrace API operations: want [Allowlist Enable], got %v", operations)
	}

	token := only(t, resources, "Custom::DynatraceActiveGateToken")
	if props(token)["Name"] != "vpc-activegate" || props(token)["ActiveGateType"] != "ENVIRONMENT" {
		t.Errorf("ActiveGate token properties: got %v", props(token))
	}
}
