// A client-go apiextensions clientset configured for protobuf, as the upstream e2e tests configure
// it: creates, lists and watches CRDs, and prints what it saw.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	clientset "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

// recorder keeps the Content-Type of every request body sent, to show protobuf went over the wire.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if ct := req.Header.Get("Content-Type"); ct != "" {
		r.mu.Lock()
		r.seen[ct] = true
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func main() {
	cfg := &rest.Config{Host: os.Args[1]}
	// As the upstream e2e framework and many controllers configure it; the server answers JSON.
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	rec := &recorder{seen: map[string]bool{}}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { rec.next = rt; return rec }
	defer func() {
		for ct := range rec.seen {
			fmt.Printf("sent %s\n", ct)
		}
	}()
	cs, err := clientset.NewForConfig(cfg)
	if err != nil {
		fail("clientset: %v", err)
	}
	crds := cs.ApiextensionsV1().CustomResourceDefinitions()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	w, err := crds.Watch(ctx, metav1.ListOptions{LabelSelector: "e2e=go-client"})
	if err != nil {
		fail("watch: %v", err)
	}
	defer w.Stop()

	preserve := true
	min := 0.0
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "gadgets.go.example.com", Labels: map[string]string{"e2e": "go-client"}},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "go.example.com",
			Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "gadgets", Singular: "gadget", Kind: "Gadget", ShortNames: []string{"gd"}},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"spec": {
							Type:     "object",
							Required: []string{"size"},
							Properties: map[string]apiextensionsv1.JSONSchemaProps{
								"size":   {Type: "integer", Minimum: &min, Default: &apiextensionsv1.JSON{Raw: []byte(`3`)}},
								"color":  {Type: "string", Enum: []apiextensionsv1.JSON{{Raw: []byte(`"red"`)}, {Raw: []byte(`"blue"`)}}},
								"extra":  {Type: "object", XPreserveUnknownFields: &preserve},
								"labels": {Type: "object", AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{Allows: true, Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}}},
							},
						},
					},
				}},
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
			}},
		},
	}
	created, err := crds.Create(ctx, crd, metav1.CreateOptions{})
	if err != nil {
		fail("create: %v", err)
	}
	fmt.Printf("created %s uid=%s\n", created.Name, created.UID)
	s := created.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	fmt.Printf("schema size.minimum=%v size.default=%s color.enum=%d labels.additionalProperties.type=%s extra.preserve=%v\n",
		*s.Properties["size"].Minimum, string(s.Properties["size"].Default.Raw), len(s.Properties["color"].Enum),
		s.Properties["labels"].AdditionalProperties.Schema.Type, *s.Properties["extra"].XPreserveUnknownFields)

	select {
	case ev := <-w.ResultChan():
		got := ev.Object.(*apiextensionsv1.CustomResourceDefinition)
		fmt.Printf("watched %s %s\n", ev.Type, got.Name)
	case <-ctx.Done():
		fail("no watch event")
	}

	list, err := crds.List(ctx, metav1.ListOptions{LabelSelector: "e2e=go-client"})
	if err != nil {
		fail("list: %v", err)
	}
	for _, item := range list.Items {
		established := false
		for _, c := range item.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				established = true
			}
		}
		fmt.Printf("listed %s established=%v\n", item.Name, established)
	}

	if err := crds.Delete(ctx, created.Name, metav1.DeleteOptions{}); err != nil {
		fail("delete: %v", err)
	}
	for {
		select {
		case ev := <-w.ResultChan():
			if ev.Type == "DELETED" {
				fmt.Printf("watched DELETED %s\n", ev.Object.(*apiextensionsv1.CustomResourceDefinition).Name)
				return
			}
		case <-ctx.Done():
			fail("no DELETED event")
		}
	}
}
