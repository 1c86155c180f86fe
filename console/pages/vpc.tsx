// VPC: the EC2 console opened on VPCs and subnets.
import { Ec2Console } from '../parts/ec2-console.js';

export default () => <Ec2Console initial="vpcs" title="Amazon VPC" />;
